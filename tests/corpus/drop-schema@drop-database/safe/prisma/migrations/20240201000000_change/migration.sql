CREATE DATABASE "mealplanner_archive";
