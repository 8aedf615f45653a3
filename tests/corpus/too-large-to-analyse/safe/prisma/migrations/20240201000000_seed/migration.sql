-- A seed user with a biography of ordinary length.
INSERT INTO "User" ("email", "name") VALUES ('seed@example.com', 'a short biography.');
