INSERT INTO "User" ("email", "name") VALUES ('cook@example.com', 'Cook');
