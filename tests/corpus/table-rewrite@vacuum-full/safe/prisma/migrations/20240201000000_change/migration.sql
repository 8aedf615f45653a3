VACUUM "Recipe";
