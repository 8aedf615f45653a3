-- AlterTable
ALTER TABLE "ShoppingListItem" ADD COLUMN "unit" TEXT;
