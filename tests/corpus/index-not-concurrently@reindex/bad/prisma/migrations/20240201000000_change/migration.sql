SET lock_timeout = '5s';
REINDEX INDEX "User_email_key";
