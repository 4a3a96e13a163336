-- Relay database, version 1: accounts, sessions, password resets, registered hosts.
-- Times are epoch milliseconds (INTEGER); ids are random text ids minted by the relay.
-- Secrets are never stored in clear: session and reset tokens only as SHA-256 hashes (hex),
-- passwords only as Argon2id hashes in PHC string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash).

CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    username      TEXT    NOT NULL COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- usernames are unique regardless of ASCII letter case ("Alice" and "alice" collide)
CREATE UNIQUE INDEX users_username_ci ON users (username COLLATE NOCASE);
CREATE INDEX users_email ON users (email COLLATE NOCASE);

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT,
    ip           TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1))
);
CREATE INDEX password_resets_user ON password_resets (user_id);

CREATE TABLE hosts (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    public_key BLOB    NOT NULL UNIQUE CHECK (length(public_key) = 32),
    owner_id   TEXT    REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
