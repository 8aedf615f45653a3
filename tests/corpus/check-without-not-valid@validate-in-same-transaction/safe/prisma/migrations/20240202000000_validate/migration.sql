ALTER TABLE "Recipe" VALIDATE CONSTRAINT "Recipe_servings_check";
