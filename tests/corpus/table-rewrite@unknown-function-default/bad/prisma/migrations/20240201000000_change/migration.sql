SET lock_timeout = '5s';
ALTER TABLE "Recipe" ADD COLUMN "meta" JSONB DEFAULT app_default_meta();
