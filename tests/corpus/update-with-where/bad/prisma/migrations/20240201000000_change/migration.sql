UPDATE "Recipe" SET "title" = trim("title") WHERE "title" LIKE ' %';
