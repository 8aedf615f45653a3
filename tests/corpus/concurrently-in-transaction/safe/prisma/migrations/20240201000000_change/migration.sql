-- The only statement of its migration: Prisma runs it outside a transaction.
CREATE INDEX CONCURRENTLY "Recipe_title_idx" ON "Recipe"("title");
