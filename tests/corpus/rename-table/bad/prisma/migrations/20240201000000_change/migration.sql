ALTER TABLE "Ingredient" RENAME TO "RecipeIngredient";
