-- AlterTable
ALTER TABLE "Recipe" ADD COLUMN "rating" INTEGER;
