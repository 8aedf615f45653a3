REASSIGN OWNED BY "legacy_app" TO "app";
