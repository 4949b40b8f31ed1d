-- Up Migration
-- Agents and admins: people with their own login. `token_version` is bumped to revoke every
-- refresh token a user holds (disabled, password changed, revoked by an admin).
CREATE TABLE users (
  id            uuid PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  email         text NOT NULL,
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'agent')),
  password_hash text NOT NULL,
  disabled      boolean NOT NULL DEFAULT false,
  token_version integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, email)
);

-- Refresh tokens, stored hashed; each refresh replaces its token with a new one (rotation).
CREATE TABLE refresh_tokens (
  id            uuid PRIMARY KEY,
  user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash    text NOT NULL UNIQUE,
  token_version integer NOT NULL,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- One-time login links (`npm start` prints one for the dev admin), stored hashed.
CREATE TABLE login_links (
  code_hash  text PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);

-- Down Migration
DROP TABLE login_links;
DROP TABLE refresh_tokens;
DROP TABLE users;
