SET lock_timeout = '5s';
-- AlterTable
ALTER TABLE "Recipe" ALTER COLUMN "title" SET DATA TYPE VARCHAR(200);
