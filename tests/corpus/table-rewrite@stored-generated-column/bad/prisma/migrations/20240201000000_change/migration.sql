SET lock_timeout = '5s';
ALTER TABLE "Recipe" ADD COLUMN "titleLower" TEXT GENERATED ALWAYS AS (lower("title")) STORED;
