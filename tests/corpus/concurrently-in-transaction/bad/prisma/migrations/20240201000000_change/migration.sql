BEGIN;
CREATE INDEX CONCURRENTLY "Recipe_title_idx" ON "Recipe"("title");
COMMIT;
