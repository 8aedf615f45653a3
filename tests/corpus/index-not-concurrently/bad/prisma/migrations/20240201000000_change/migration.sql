SET lock_timeout = '5s';
-- CreateIndex
CREATE INDEX "Recipe_title_idx" ON "Recipe"("title");
