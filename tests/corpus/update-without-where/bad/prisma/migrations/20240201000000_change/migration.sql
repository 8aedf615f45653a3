UPDATE "Recipe" SET "description" = NULL;
