DO $$
BEGIN
  UPDATE "Recipe" SET "servings" = 1 WHERE "servings" IS NULL;
END
$$;
