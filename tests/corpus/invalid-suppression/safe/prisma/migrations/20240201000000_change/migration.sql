-- schemagate: accept drop-column the descriptions were copied to the archive first
ALTER TABLE "Recipe" DROP COLUMN "description";
