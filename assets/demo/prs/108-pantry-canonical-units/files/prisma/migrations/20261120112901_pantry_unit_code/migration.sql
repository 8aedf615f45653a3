-- AlterTable
ALTER TABLE "PantryItem" ADD COLUMN "unitCode" TEXT;

-- Free-text units ("a handful", "2 tins") cannot be mapped to unit codes
-- reliably, so the pantry starts empty and households re-scan their stock.
DELETE FROM "PantryItem";
