-- Up Migration

CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_keys (
  owner uuid NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, key)
);

-- Expired keys are deleted by age; without this index every cleanup scans the whole table.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

CREATE TABLE users_count (
  operation_id uuid PRIMARY KEY,
  user_count bigint NOT NULL,
  counted_at timestamptz NOT NULL,
  -- clock_timestamp(), not now(): now() is the start of the inserting transaction, which can be
  -- earlier than a count-cleaner run that began meanwhile, and the cleaner would delete the row.
  inserted_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX users_count_inserted_at_idx ON users_count (inserted_at);

-- Down Migration

DROP TABLE users_count;
DROP TABLE idempotency_keys;
DROP TABLE users;
