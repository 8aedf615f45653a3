SET lock_timeout = '5s';
ALTER TABLE "Recipe" ADD CONSTRAINT "Recipe_servings_check" CHECK ("servings" > 0) NOT VALID;
ALTER TABLE "Recipe" VALIDATE CONSTRAINT "Recipe_servings_check";
