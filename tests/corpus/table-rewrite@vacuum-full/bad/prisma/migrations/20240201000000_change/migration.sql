VACUUM FULL "Recipe";
