DROP OWNED BY "legacy_app" CASCADE;
