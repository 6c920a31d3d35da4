-- The role the servers run as (docs/security.md): `banshi_app`, given to their login role with
-- `GRANT banshi_app TO …`. It reads and writes the data but owns no table, so it can neither
-- disable nor drop a trigger; on the append-only tables it may only read and add rows, and
-- TRUNCATE it may nowhere. The tables' owner runs the migrations (`banshi migrate`). Where the
-- owner may not create roles, a superuser creates `banshi_app` first and migrates again.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'banshi_app') THEN
        BEGIN
            CREATE ROLE banshi_app NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'the role banshi_app could not be created: a superuser creates it, then banshi migrate again';
            RETURN;
        END;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO banshi_app', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO banshi_app', current_schema());
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO banshi_app', current_schema());
    -- Tables and sequences later migrations create: the same, unless a migration takes it back.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO banshi_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO banshi_app', current_schema());
    REVOKE UPDATE, DELETE ON audit_log, ticket_events, case_events, inquiry_handovers, bad_rating_events, feedback_steps, contacts FROM banshi_app;
    REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM banshi_app;
END $$;
