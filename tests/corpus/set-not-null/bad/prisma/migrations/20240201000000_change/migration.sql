SET lock_timeout = '5s';
-- AlterTable
ALTER TABLE "Recipe" ALTER COLUMN "servings" SET NOT NULL;
