ALTER TABLE "Recipe" ADD COLUMN "note" TEXT;
SET lock_timeout = '5s';
