SET app.lock_timeout = '5s';
ALTER TABLE "Recipe" ADD COLUMN "note" TEXT;
