-- Parch host database, version 1.
-- All timestamps are Unix epoch milliseconds (INTEGER). User ids, usernames and display
-- names come from the relay, which is the authority on who a user is; the host only
-- keeps what it needs to authorize, mention and display.

-- Users this host has seen (the relay stamps id, username and display name on every
-- session and request; the host refreshes this row each time). Kept after a user leaves
-- every space so that old messages still show their author.
CREATE TABLE users (
  id            TEXT    PRIMARY KEY,
  username      TEXT    NOT NULL COLLATE NOCASE,
  display_name  TEXT    NOT NULL,
  updated_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX users_by_username ON users(username);

CREATE TABLE spaces (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  owner_id    TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE channels (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  space_id    INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind        TEXT    NOT NULL CHECK (kind IN ('text', 'voice')),
  position    INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX channels_by_space ON channels(space_id, position);

CREATE TABLE members (
  space_id      INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  user_id       TEXT    NOT NULL REFERENCES users(id),
  role          TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at     INTEGER NOT NULL,
  PRIMARY KEY (space_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members(user_id);

-- Invites by username: pending until the invitee accepts or declines.
CREATE TABLE invites (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  space_id          INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  inviter_id        TEXT    NOT NULL,
  invitee_id        TEXT    NOT NULL REFERENCES users(id),
  status            TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
  created_at        INTEGER NOT NULL,
  decided_at        INTEGER
);
-- at most one pending invite per (space, invitee)
CREATE UNIQUE INDEX invites_one_pending ON invites(space_id, invitee_id) WHERE status = 'pending';
CREATE INDEX invites_by_invitee ON invites(invitee_id, status);

-- Invite codes: shareable, optionally expiring, optionally limited in uses.
CREATE TABLE invite_codes (
  code        TEXT    PRIMARY KEY,
  space_id    INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  created_by  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER,
  max_uses    INTEGER CHECK (max_uses IS NULL OR max_uses > 0),
  uses        INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses))
) WITHOUT ROWID;
CREATE INDEX invite_codes_by_space ON invite_codes(space_id);

-- Messages. The id is the keyset-paging key (monotonic, never reused thanks to AUTOINCREMENT).
-- space_id is denormalised from the channel so that search can filter by space cheaply.
-- UNIQUE(author_id, nonce) makes a client re-send with the same nonce idempotent.
-- Deletion is soft: content is cleared (which also drops it from the search index).
CREATE TABLE messages (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  space_id    INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  author_id   TEXT    NOT NULL,
  nonce       TEXT    NOT NULL,
  content     TEXT    NOT NULL,
  reply_to    INTEGER REFERENCES messages(id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL,
  edited_at   INTEGER,
  deleted_at  INTEGER,
  UNIQUE (author_id, nonce)
);
CREATE INDEX messages_by_channel ON messages(channel_id, id);
CREATE INDEX messages_by_space ON messages(space_id);

-- Full-text index over message content (external content table: the text lives once, in
-- messages; the triggers below keep the index in step with every insert, edit and delete).
CREATE VIRTUAL TABLE messages_fts USING fts5(
  content,
  content = 'messages',
  content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;

-- Users a message mentions with @username (resolved against the space's members at send).
CREATE TABLE message_mentions (
  message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id     TEXT    NOT NULL,
  PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;
CREATE INDEX message_mentions_by_user ON message_mentions(user_id, message_id);

CREATE TABLE reactions (
  message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  emoji       TEXT    NOT NULL CHECK (length(emoji) BETWEEN 1 AND 32),
  user_id     TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;

-- Per user and channel: the newest message id the user has read. Unread count =
-- messages in the channel with a greater id, not deleted, not written by the user.
CREATE TABLE read_state (
  user_id       TEXT    NOT NULL,
  channel_id    INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  last_read_id  INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (user_id, channel_id)
) WITHOUT ROWID;

CREATE TABLE bans (
  space_id    INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  user_id     TEXT    NOT NULL,
  banned_by   TEXT    NOT NULL,
  reason      TEXT,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (space_id, user_id)
) WITHOUT ROWID;
