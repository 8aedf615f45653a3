DROP DATABASE "mealplanner";
