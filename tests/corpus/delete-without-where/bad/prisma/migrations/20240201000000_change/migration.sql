-- Remove every ingredient
DELETE FROM "Ingredient";
