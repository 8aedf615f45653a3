SET lock_timeout = '5s';
DROP INDEX "Recipe_title_idx";
