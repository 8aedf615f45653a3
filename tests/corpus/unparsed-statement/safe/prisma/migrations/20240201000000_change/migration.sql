-- AlterTable
ALTER TABLE "Recipe" ADD COLUMN "cuisine" TEXT;
