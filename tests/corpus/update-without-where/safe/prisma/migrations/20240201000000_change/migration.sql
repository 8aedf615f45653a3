UPDATE "Recipe" SET "description" = '' WHERE "description" IS NULL;
