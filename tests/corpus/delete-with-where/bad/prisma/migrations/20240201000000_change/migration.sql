DELETE FROM "Ingredient" WHERE "name" = '';
