-- Up Migration

-- The role the services connect as in a cluster: only the statements they run, on the tables of
-- this schema, nothing on schema_migrations, no DDL. It has no password and cannot log in until
-- `jobs migrate` is given POSTGRES_APP_PASSWORD. A later migration that adds a table grants the
-- services what they need on it, since nothing is granted by default.
-- Roles belong to the server, not to a schema or a database: it may exist already, and a user
-- without CREATEROLE (the local stack's, which the services keep) cannot create it, so it is then
-- left out and `migrate` refuses to set a password for a role that is missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'docpipe_app') THEN
    IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
      RAISE NOTICE 'role docpipe_app not created: % may not create roles', current_user;
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE docpipe_app NOLOGIN;
    EXCEPTION WHEN duplicate_object THEN
      -- Created meanwhile by a migrate run on another schema or database.
      NULL;
    END;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO docpipe_app', current_schema());
  -- ingest: sign-up, token, metrics; user-counter: the count.
  GRANT SELECT, INSERT ON users TO docpipe_app;
  -- ingest: idempotent batches.
  GRANT SELECT, INSERT ON idempotency_keys TO docpipe_app;
  -- ingest: metrics; user-counter: insert; count-cleaner: delete by age.
  GRANT SELECT, INSERT, DELETE ON users_count TO docpipe_app;
END
$$;

-- Down Migration

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'docpipe_app') THEN
    REVOKE ALL ON users, idempotency_keys, users_count FROM docpipe_app;
    EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM docpipe_app', current_schema());
  END IF;
END
$$;
