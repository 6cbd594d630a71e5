-- What was revoked before the access tokens it names expire (identity's revocation list).
-- Every process that verifies tokens reads the rows added since its cursor, every 2 seconds. A row
-- is kept only as long as a token it revokes could still be valid (expires_at), then pruned.
--   session_id set:  every access token of that session (`sid`), e.g. after a logout;
--   session_id null: every access token of the user issued before revoked_at (deactivation, a
--                    change of role or store, a password change from another session).
CREATE TABLE revocations (
  id          bigserial PRIMARY KEY,
  user_id     uuid NOT NULL,
  session_id  uuid,
  revoked_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX revocations_expires_at ON revocations (expires_at);
