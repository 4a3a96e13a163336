package com.parchchat.host.message;

import com.parchchat.host.store.Db;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.Reaction;
import com.parchchat.protocol.api.UnreadCount;
import com.parchchat.protocol.signal.UserRef;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL for messages, mentions, reactions, read state and search. No authorization here; callers
 * check with {@code Access} first. Deleted messages keep their row (so ids and nonces stay
 * taken) but lose their content and disappear from history, search and unread counts.
 */
public final class MessageRepository {
  private static final Pattern MENTION = Pattern.compile("(?<![\\p{L}\\p{N}_.@-])@([\\p{L}\\p{N}_.-]{1,64})");

  private static final String SELECT = "SELECT m.id, m.channel_id, m.author_id, u.username, u.display_name,"
      + " m.nonce, m.content, m.created_at, m.edited_at, m.reply_to FROM messages m"
      + " LEFT JOIN users u ON u.id = m.author_id";

  private MessageRepository() {}

  /** What a message send stored: the message, and whether it was already stored under that nonce. */
  public record Stored(long spaceId, Message message, boolean duplicate) {}

  /** Where a message lives and who wrote it, for authorization. */
  public record Ref(long id, long spaceId, long channelId, String authorId, boolean deleted) {}

  /** Usernames mentioned with {@code @username} in {@code content}, in order of appearance, once each. */
  public static Set<String> mentionedUsernames(String content) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = MENTION.matcher(content);
    while (m.find()) {
      String name = m.group(1);
      while (name.endsWith(".") || name.endsWith("-")) {
        name = name.substring(0, name.length() - 1);
      }
      if (!name.isEmpty()) {
        out.add(name);
      }
    }
    return out;
  }

  /** The message an author already stored under {@code nonce}, if any (the idempotency check). */
  public static Optional<Stored> byNonce(Db db, String authorId, String nonce) throws SQLException {
    PreparedStatement ps = db.bind(SELECT + " WHERE m.author_id = ? AND m.nonce = ?", authorId, nonce);
    Message msg;
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      msg = message(rs);
    }
    long spaceId = db.queryLong(-1, "SELECT space_id FROM messages WHERE id = ?", msg.id());
    return Optional.of(new Stored(spaceId, decorate(db, List.of(msg), null).get(0), true));
  }

  /** Inserts a new message with its resolved mentions. */
  public static Message insert(Db db, long spaceId, long channelId, UserRef author, String nonce, String content,
      Long replyTo, List<String> mentionIds, long now) throws SQLException {
    long id = insertIfNew(db, spaceId, channelId, author, nonce, content, replyTo, mentionIds, now);
    if (id < 0) {
      throw new SQLException("UNIQUE constraint failed: messages.author_id, messages.nonce");
    }
    return new Message(id, Long.toString(channelId), author, nonce, content, now, null, replyTo, List.of(), mentionIds);
  }

  /**
   * Inserts a message unless its author already used {@code nonce} (the unique index decides, in
   * the same statement: no separate lookup); returns the new id, or -1 for a duplicate.
   */
  public static long insertIfNew(Db db, long spaceId, long channelId, UserRef author, String nonce, String content,
      Long replyTo, List<String> mentionIds, long now) throws SQLException {
    PreparedStatement ps = db.prepare("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, reply_to,"
        + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(author_id, nonce) DO NOTHING RETURNING id");
    ps.setLong(1, spaceId);
    ps.setLong(2, channelId);
    ps.setString(3, author.id());
    ps.setString(4, nonce);
    ps.setString(5, content);
    if (replyTo == null) {
      ps.setNull(6, java.sql.Types.INTEGER);
    } else {
      ps.setLong(6, replyTo);
    }
    ps.setLong(7, now);
    long id;
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return -1;
      }
      id = rs.getLong(1);
    }
    for (String user : mentionIds) {
      db.update("INSERT OR IGNORE INTO message_mentions(message_id, user_id) VALUES (?, ?)", id, user);
    }
    return id;
  }

  public static Optional<Ref> ref(Db db, long messageId) throws SQLException {
    PreparedStatement ps = db.bind("SELECT id, space_id, channel_id, author_id, deleted_at FROM messages WHERE id = ?",
        messageId);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      long id = rs.getLong(1);
      long space = rs.getLong(2);
      long channel = rs.getLong(3);
      String author = rs.getString(4);
      rs.getLong(5);
      return Optional.of(new Ref(id, space, channel, author, !rs.wasNull()));
    }
  }

  /** One message as everyone sees it (reactions without the per-viewer flag). */
  public static Optional<Message> get(Db db, long messageId) throws SQLException {
    PreparedStatement ps = db.bind(SELECT + " WHERE m.id = ? AND m.deleted_at IS NULL", messageId);
    Message msg;
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      msg = message(rs);
    }
    return Optional.of(decorate(db, List.of(msg), null).get(0));
  }

  public static void edit(Db db, long messageId, String content, List<String> mentionIds, long now) throws SQLException {
    db.update("UPDATE messages SET content = ?, edited_at = ? WHERE id = ?", content, now, messageId);
    db.update("DELETE FROM message_mentions WHERE message_id = ?", messageId);
    for (String user : mentionIds) {
      db.update("INSERT OR IGNORE INTO message_mentions(message_id, user_id) VALUES (?, ?)", messageId, user);
    }
  }

  /** Soft delete: the row (and its nonce) stays, content, mentions and reactions go. */
  public static void delete(Db db, long messageId, long now) throws SQLException {
    db.update("UPDATE messages SET content = '', deleted_at = ? WHERE id = ?", now, messageId);
    db.update("DELETE FROM message_mentions WHERE message_id = ?", messageId);
    db.update("DELETE FROM reactions WHERE message_id = ?", messageId);
  }

  /**
   * A page of a channel's history in ascending id order: before {@code before}, after
   * {@code after}, or the newest. Fetches one extra row to know whether more exist.
   */
  public static Page history(Db db, long channelId, Long before, Long after, int limit, String viewerId)
      throws SQLException {
    PreparedStatement ps;
    boolean descending = after == null;
    if (after != null) {
      ps = db.bind(SELECT + " WHERE m.channel_id = ? AND m.id > ? AND m.deleted_at IS NULL ORDER BY m.id LIMIT ?",
          channelId, after, limit + 1);
    } else if (before != null) {
      ps = db.bind(SELECT + " WHERE m.channel_id = ? AND m.id < ? AND m.deleted_at IS NULL ORDER BY m.id DESC LIMIT ?",
          channelId, before, limit + 1);
    } else {
      ps = db.bind(SELECT + " WHERE m.channel_id = ? AND m.deleted_at IS NULL ORDER BY m.id DESC LIMIT ?",
          channelId, limit + 1);
    }
    List<Message> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(message(rs));
      }
    }
    boolean more = rows.size() > limit;
    if (more) {
      rows.remove(rows.size() - 1);
    }
    if (descending) {
      Collections.reverse(rows);
    }
    return new Page(decorate(db, rows, viewerId), more);
  }

  /** A page of messages plus whether more exist in the paging direction. */
  public record Page(List<Message> messages, boolean hasMore) {}

  /**
   * Full-text search in one space, newest first, below {@code before}. The query is taken as
   * plain words (each quoted, all required; a trailing {@code *} keeps prefix matching), so user
   * input can never be an FTS5 syntax error. Messages above the index watermark (sent since the
   * {@link SearchIndexer}'s last step) are matched in Java first, they are the newest; the FTS5
   * index answers for the rest.
   */
  public static Page search(Db db, long spaceId, String query, Long before, int limit, String viewerId)
      throws SQLException {
    SearchText text = SearchText.parse(query);
    if (text.isEmpty()) {
      return new Page(List.of(), false);
    }
    long upper = before == null ? Long.MAX_VALUE : before;
    long indexed = SearchIndexer.watermark(db);
    List<Message> rows = new ArrayList<>();
    if (upper > indexed + 1) {
      PreparedStatement tail = db.bind(SELECT + " WHERE m.id > ? AND m.id < ? AND m.space_id = ?"
          + " AND m.deleted_at IS NULL ORDER BY m.id DESC", indexed, upper, spaceId);
      try (ResultSet rs = tail.executeQuery()) {
        while (rs.next() && rows.size() <= limit) {
          if (text.matches(rs.getString(7))) {
            rows.add(message(rs));
          }
        }
      }
    }
    if (rows.size() <= limit) {
      PreparedStatement ps = db.bind(SELECT + " JOIN messages_fts f ON f.rowid = m.id"
          + " WHERE messages_fts MATCH ? AND f.rowid < ? AND f.rowid <= ? AND m.space_id = ? AND m.deleted_at IS NULL"
          + " ORDER BY f.rowid DESC LIMIT ?", text.ftsQuery(), upper, indexed, spaceId, limit + 1 - rows.size());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(message(rs));
        }
      }
    }
    boolean more = rows.size() > limit;
    if (more) {
      rows.remove(rows.size() - 1);
    }
    return new Page(decorate(db, rows, viewerId), more);
  }

  static String ftsQuery(String query) {
    return SearchText.parse(query).ftsQuery();
  }

  // ---- reactions ----

  /** Adds a reaction (idempotent); returns the emoji's new count on the message. */
  public static int addReaction(Db db, long messageId, String emoji, String userId, long now) throws SQLException {
    db.update("INSERT OR IGNORE INTO reactions(message_id, emoji, user_id, created_at) VALUES (?, ?, ?, ?)",
        messageId, emoji, userId, now);
    return reactionCount(db, messageId, emoji);
  }

  public static int removeReaction(Db db, long messageId, String emoji, String userId) throws SQLException {
    db.update("DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?", messageId, emoji, userId);
    return reactionCount(db, messageId, emoji);
  }

  private static int reactionCount(Db db, long messageId, String emoji) throws SQLException {
    return (int) db.queryLong(0, "SELECT count(*) FROM reactions WHERE message_id = ? AND emoji = ?", messageId, emoji);
  }

  // ---- read state ----

  /** Moves the read mark forward to {@code messageId} (never backwards). */
  public static void markRead(Db db, String userId, long channelId, long messageId, long now) throws SQLException {
    db.update("INSERT INTO read_state(user_id, channel_id, last_read_id, updated_at) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT(user_id, channel_id) DO UPDATE SET last_read_id = excluded.last_read_id,"
        + " updated_at = excluded.updated_at WHERE excluded.last_read_id > read_state.last_read_id",
        userId, channelId, messageId, now);
  }

  /** Unread counts of every text channel in every space the user is a member of. */
  public static List<UnreadCount> unread(Db db, String userId) throws SQLException {
    PreparedStatement ps = db.bind("SELECT c.id, r.last_read_id,"
        + " (SELECT count(*) FROM messages m WHERE m.channel_id = c.id AND m.id > coalesce(r.last_read_id, 0)"
        + "   AND m.deleted_at IS NULL AND m.author_id != ?),"
        + " (SELECT count(*) FROM message_mentions mm JOIN messages m ON m.id = mm.message_id"
        + "   WHERE mm.user_id = ? AND m.channel_id = c.id AND m.id > coalesce(r.last_read_id, 0)"
        + "   AND m.deleted_at IS NULL)"
        + " FROM members mb JOIN channels c ON c.space_id = mb.space_id AND c.kind = 'text'"
        + " LEFT JOIN read_state r ON r.user_id = mb.user_id AND r.channel_id = c.id"
        + " WHERE mb.user_id = ? ORDER BY c.id", userId, userId, userId);
    List<UnreadCount> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long last = rs.getLong(2);
        Long lastRead = rs.wasNull() || last == 0 ? null : last;
        out.add(new UnreadCount(Long.toString(rs.getLong(1)), rs.getInt(3), rs.getInt(4), lastRead));
      }
    }
    return out;
  }

  // ---- mapping ----

  private static Message message(ResultSet rs) throws SQLException {
    String authorId = rs.getString(3);
    String username = rs.getString(4);
    String display = rs.getString(5);
    UserRef author = new UserRef(authorId, username == null ? authorId : username, display == null ? authorId : display);
    long edited = rs.getLong(9);
    Long editedAt = rs.wasNull() ? null : edited;
    long reply = rs.getLong(10);
    Long replyTo = rs.wasNull() ? null : reply;
    return new Message(rs.getLong(1), Long.toString(rs.getLong(2)), author, rs.getString(6), rs.getString(7),
        rs.getLong(8), editedAt, replyTo, List.of(), List.of());
  }

  /** Adds reactions (with {@code me} when a viewer is given) and mentions to messages. */
  static List<Message> decorate(Db db, List<Message> rows, String viewerId) throws SQLException {
    if (rows.isEmpty()) {
      return rows;
    }
    StringBuilder in = new StringBuilder();
    Object[] ids = new Object[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      in.append(i == 0 ? "?" : ",?");
      ids[i] = rows.get(i).id();
    }
    Map<Long, List<Reaction>> reactions = new HashMap<>();
    Object[] params = new Object[ids.length + 1];
    params[0] = viewerId == null ? "" : viewerId;
    System.arraycopy(ids, 0, params, 1, ids.length);
    PreparedStatement ps = db.bind("SELECT message_id, emoji, count(*), max(user_id = ?) FROM reactions"
        + " WHERE message_id IN (" + in + ") GROUP BY message_id, emoji ORDER BY message_id, min(created_at), emoji",
        params);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Boolean me = viewerId == null ? null : rs.getInt(4) == 1;
        reactions.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
            .add(new Reaction(rs.getString(2), rs.getInt(3), me));
      }
    }
    Map<Long, List<String>> mentions = new HashMap<>();
    ps = db.bind("SELECT message_id, user_id FROM message_mentions WHERE message_id IN (" + in + ")", ids);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        mentions.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    List<Message> out = new ArrayList<>(rows.size());
    for (Message m : rows) {
      out.add(new Message(m.id(), m.channelId(), m.author(), m.nonce(), m.content(), m.createdAt(), m.editedAt(),
          m.replyTo(), reactions.getOrDefault(m.id(), List.of()), mentions.getOrDefault(m.id(), List.of())));
    }
    return out;
  }
}
