-- CreateTable
CREATE TABLE "Tag" ("name" TEXT NOT NULL, "recipeId" INTEGER);
