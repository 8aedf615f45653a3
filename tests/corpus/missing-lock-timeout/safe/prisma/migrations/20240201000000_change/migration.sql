SET lock_timeout = '5s';
-- AlterTable
ALTER TABLE "Recipe" ADD COLUMN "cuisine" TEXT;
