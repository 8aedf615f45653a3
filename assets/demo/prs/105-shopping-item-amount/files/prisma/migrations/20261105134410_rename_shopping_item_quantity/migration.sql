/*
  Warnings:

  - You are about to drop the column `quantity` on the `ShoppingListItem` table. All the data in the column will be lost.

*/
-- NOTE(hand-edited): Prisma generated a drop of "quantity" plus a new empty
-- "amount" column. The INSERT below selects "quantity" into "amount" so the
-- column is renamed and every item keeps its amount.

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ShoppingListItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "listId" TEXT NOT NULL,
    "ingredientId" TEXT,
    "label" TEXT NOT NULL,
    "amount" REAL,
    "checked" BOOLEAN NOT NULL DEFAULT false,
    "checkedById" TEXT,
    CONSTRAINT "ShoppingListItem_listId_fkey" FOREIGN KEY ("listId") REFERENCES "ShoppingList" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ShoppingListItem_ingredientId_fkey" FOREIGN KEY ("ingredientId") REFERENCES "Ingredient" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "ShoppingListItem_checkedById_fkey" FOREIGN KEY ("checkedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_ShoppingListItem" ("checked", "checkedById", "id", "ingredientId", "label", "listId", "amount") SELECT "checked", "checkedById", "id", "ingredientId", "label", "listId", "quantity" FROM "ShoppingListItem";
DROP TABLE "ShoppingListItem";
ALTER TABLE "new_ShoppingListItem" RENAME TO "ShoppingListItem";
CREATE INDEX "ShoppingListItem_listId_idx" ON "ShoppingListItem"("listId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
