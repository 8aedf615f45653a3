DROP INDEX CONCURRENTLY "Recipe_title_idx";
