-- AlterTable
ALTER TABLE "Recipe" ADD COLUMN "name" TEXT;
