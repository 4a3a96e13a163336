-- Parch host database, version 3: full-text indexing leaves the acknowledgement path.
-- Until V2 every INSERT into messages also fed messages_fts through a trigger, which was most
-- of the cost of a durable send. Now a background indexer on the host's writer thread feeds
-- messages_fts in large batches and records how far it got in search_index_state; a search
-- answers from the index for ids up to that watermark and scans the short unindexed tail above it.
-- Edits and deletes keep the index exact: the triggers touch messages_fts only for rows it
-- already holds (id <= watermark); a row above the watermark is indexed later with its
-- then-current content.

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;

-- one row: every message with id <= indexed_through is in messages_fts, none above it is
CREATE TABLE search_index_state (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_through  INTEGER NOT NULL
);
-- the V1 triggers indexed every existing row
INSERT INTO search_index_state(id, indexed_through) VALUES (1, (SELECT coalesce(max(id), 0) FROM messages));

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.id <= (SELECT indexed_through FROM search_index_state WHERE id = 1)
BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
WHEN old.id <= (SELECT indexed_through FROM search_index_state WHERE id = 1)
BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
