CREATE INDEX "Recipe_title_idx" ON "Recipe"("title");
