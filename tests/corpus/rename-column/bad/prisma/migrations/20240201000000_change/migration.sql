ALTER TABLE "Recipe" RENAME COLUMN "title" TO "name";
