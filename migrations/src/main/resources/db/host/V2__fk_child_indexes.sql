-- Parch host database, version 2: indexes on two foreign-key child columns.
-- Deleting a space or channel (SpaceRepository) cascades to its messages and read_state rows.
-- For every deleted message SQLite must find the messages replying to it (reply_to, ON DELETE
-- SET NULL), and for every deleted channel the read_state rows pointing at it; without these
-- indexes each lookup is a full table scan, so a large delete is quadratic.
CREATE INDEX messages_by_reply_to ON messages(reply_to);
CREATE INDEX read_state_by_channel ON read_state(channel_id);
