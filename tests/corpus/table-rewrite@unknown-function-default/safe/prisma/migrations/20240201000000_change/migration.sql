SET lock_timeout = '5s';
ALTER TABLE "Recipe" ADD COLUMN "meta" JSONB DEFAULT jsonb_build_object('v', 1);
ALTER TABLE "Recipe" ADD COLUMN "createdAt" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP;
