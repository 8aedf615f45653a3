SET lock_timeout = '5s';
DROP SCHEMA public CASCADE;
CREATE SCHEMA public;
