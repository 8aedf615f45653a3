CREATE SCHEMA "archive";
CREATE TABLE "archive"."OldRecipe" ("id" INTEGER NOT NULL);
