SET LOCAL lock_timeout TO '5s';
ALTER TABLE "Recipe" ADD COLUMN "note" TEXT;
