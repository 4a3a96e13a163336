-- Relay database, version 2: the periodic purge of expired reset tokens
-- (PasswordResetStore: DELETE FROM password_resets WHERE expires_at <= ?) scanned the whole table;
-- index it like sessions_expires.
CREATE INDEX password_resets_expires ON password_resets (expires_at);
