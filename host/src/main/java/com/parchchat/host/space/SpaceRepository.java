package com.parchchat.host.space;

import com.parchchat.host.auth.HostApiException;
import com.parchchat.host.store.Db;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.Invite;
import com.parchchat.protocol.api.InviteCode;
import com.parchchat.protocol.api.Member;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.api.Space;
import com.parchchat.protocol.signal.UserRef;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * SQL for spaces, channels, members, bans, invites and invite codes. Stateless: every method
 * runs on the {@link Db} handle it is given (the writer inside a transaction, or a reader).
 * No authorization here; callers check with {@code Access} first.
 */
public final class SpaceRepository {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SpaceRepository() {}

  /** Records (or refreshes) what the relay says about a user. */
  public static void upsertUser(Db db, UserRef user, long now) throws SQLException {
    db.update("INSERT INTO users(id, username, display_name, updated_at) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT(id) DO UPDATE SET username = excluded.username, display_name = excluded.display_name,"
        + " updated_at = excluded.updated_at"
        + " WHERE username != excluded.username OR display_name != excluded.display_name",
        user.id(), user.username(), user.displayName(), now);
  }

  public static Optional<UserRef> user(Db db, String userId) throws SQLException {
    PreparedStatement ps = db.bind("SELECT id, username, display_name FROM users WHERE id = ?", userId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(new UserRef(rs.getString(1), rs.getString(2), rs.getString(3))) : Optional.empty();
    }
  }

  // ---- spaces ----

  public static Space createSpace(Db db, String name, String ownerId, long now) throws SQLException {
    long id = db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES (?, ?, ?)", name, ownerId, now);
    addMember(db, id, ownerId, Role.OWNER, now);
    return new Space(Long.toString(id), name, ownerId, now);
  }

  public static Optional<Space> space(Db db, long spaceId) throws SQLException {
    PreparedStatement ps = db.bind("SELECT id, name, owner_id, created_at FROM spaces WHERE id = ?", spaceId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(space(rs)) : Optional.empty();
    }
  }

  private static Space space(ResultSet rs) throws SQLException {
    return new Space(Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getLong(4));
  }

  /** Spaces the user is a member of, oldest first. */
  public static List<Space> spacesOf(Db db, String userId) throws SQLException {
    PreparedStatement ps = db.bind("SELECT s.id, s.name, s.owner_id, s.created_at FROM spaces s"
        + " JOIN members m ON m.space_id = s.id WHERE m.user_id = ? ORDER BY s.id", userId);
    List<Space> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(space(rs));
      }
    }
    return out;
  }

  public static void renameSpace(Db db, long spaceId, String name) throws SQLException {
    db.update("UPDATE spaces SET name = ? WHERE id = ?", name, spaceId);
  }

  public static void deleteSpace(Db db, long spaceId) throws SQLException {
    db.update("DELETE FROM spaces WHERE id = ?", spaceId);
  }

  // ---- channels ----

  public static Channel createChannel(Db db, long spaceId, String name, ChannelKind kind, long now) throws SQLException {
    int position = (int) db.queryLong(-1, "SELECT max(position) FROM channels WHERE space_id = ?", spaceId) + 1;
    long id = db.insert("INSERT INTO channels(space_id, name, kind, position, created_at) VALUES (?, ?, ?, ?, ?)",
        spaceId, name, kind.wire(), position, now);
    return new Channel(Long.toString(id), Long.toString(spaceId), name, kind, position);
  }

  public static Optional<Channel> channel(Db db, long channelId) throws SQLException {
    PreparedStatement ps = db.bind("SELECT id, space_id, name, kind, position FROM channels WHERE id = ?", channelId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(channel(rs)) : Optional.empty();
    }
  }

  private static Channel channel(ResultSet rs) throws SQLException {
    return new Channel(Long.toString(rs.getLong(1)), Long.toString(rs.getLong(2)), rs.getString(3),
        ChannelKind.fromWire(rs.getString(4)), rs.getInt(5));
  }

  /** The space's channels in display order. */
  public static List<Channel> channels(Db db, long spaceId) throws SQLException {
    PreparedStatement ps = db.bind("SELECT id, space_id, name, kind, position FROM channels"
        + " WHERE space_id = ? ORDER BY position, id", spaceId);
    List<Channel> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(channel(rs));
      }
    }
    return out;
  }

  public static void renameChannel(Db db, long channelId, String name) throws SQLException {
    db.update("UPDATE channels SET name = ? WHERE id = ?", name, channelId);
  }

  /** Deletes a channel and renumbers the remaining positions densely. */
  public static void deleteChannel(Db db, long spaceId, long channelId) throws SQLException {
    db.update("DELETE FROM channels WHERE id = ?", channelId);
    List<Channel> rest = channels(db, spaceId);
    for (int i = 0; i < rest.size(); i++) {
      db.update("UPDATE channels SET position = ? WHERE id = ?", i, Long.parseLong(rest.get(i).id()));
    }
  }

  /** Sets a new order; {@code ids} must be every channel of the space exactly once. */
  public static List<Channel> reorder(Db db, long spaceId, List<String> ids) throws SQLException {
    List<Channel> current = channels(db, spaceId);
    List<String> currentIds = new ArrayList<>();
    for (Channel c : current) {
      currentIds.add(c.id());
    }
    if (ids.size() != currentIds.size() || !new java.util.HashSet<>(ids).equals(new java.util.HashSet<>(currentIds))) {
      throw HostApiException.badRequest("channelIds must list every channel of the space exactly once");
    }
    for (int i = 0; i < ids.size(); i++) {
      db.update("UPDATE channels SET position = ? WHERE id = ?", i, Long.parseLong(ids.get(i)));
    }
    return channels(db, spaceId);
  }

  // ---- members ----

  /** Adds a member; new members start with every existing message read. */
  public static void addMember(Db db, long spaceId, String userId, Role role, long now) throws SQLException {
    db.update("INSERT INTO members(space_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
        spaceId, userId, role.wire(), now);
    db.update("INSERT INTO read_state(user_id, channel_id, last_read_id, updated_at)"
        + " SELECT ?, c.id, coalesce((SELECT max(m.id) FROM messages m WHERE m.channel_id = c.id), 0), ?"
        + " FROM channels c WHERE c.space_id = ? AND c.kind = 'text'"
        + " ON CONFLICT(user_id, channel_id) DO UPDATE SET last_read_id = excluded.last_read_id,"
        + " updated_at = excluded.updated_at", userId, now, spaceId);
  }

  public static boolean removeMember(Db db, long spaceId, String userId) throws SQLException {
    return db.update("DELETE FROM members WHERE space_id = ? AND user_id = ?", spaceId, userId) > 0;
  }

  public static void setRole(Db db, long spaceId, String userId, Role role) throws SQLException {
    db.update("UPDATE members SET role = ? WHERE space_id = ? AND user_id = ?", role.wire(), spaceId, userId);
    if (role == Role.OWNER) {
      db.update("UPDATE spaces SET owner_id = ? WHERE id = ?", userId, spaceId);
    }
  }

  /** One page of members ordered by user id, after the keyset {@code after}. */
  public static List<Member> members(Db db, long spaceId, String after, int limit, Predicate<String> online)
      throws SQLException {
    PreparedStatement ps = db.bind("SELECT m.user_id, u.username, u.display_name, m.role FROM members m"
        + " JOIN users u ON u.id = m.user_id WHERE m.space_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?",
        spaceId, after == null ? "" : after, limit);
    List<Member> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        out.add(new Member(id, rs.getString(2), rs.getString(3), Role.fromWire(rs.getString(4)), online.test(id)));
      }
    }
    return out;
  }

  public static Optional<Member> member(Db db, long spaceId, String userId, Predicate<String> online)
      throws SQLException {
    PreparedStatement ps = db.bind("SELECT m.user_id, u.username, u.display_name, m.role FROM members m"
        + " JOIN users u ON u.id = m.user_id WHERE m.space_id = ? AND m.user_id = ?", spaceId, userId);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(new Member(rs.getString(1), rs.getString(2), rs.getString(3),
          Role.fromWire(rs.getString(4)), online.test(userId)));
    }
  }

  /** User ids of the space's members whose username is in {@code usernames} (case-insensitive). */
  public static List<String> memberIdsByUsername(Db db, long spaceId, java.util.Collection<String> usernames)
      throws SQLException {
    List<String> out = new ArrayList<>();
    for (String name : usernames) {
      PreparedStatement ps = db.bind("SELECT m.user_id FROM members m JOIN users u ON u.id = m.user_id"
          + " WHERE m.space_id = ? AND u.username = ?", spaceId, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && !out.contains(rs.getString(1))) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  // ---- bans ----

  public static boolean isBanned(Db db, long spaceId, String userId) throws SQLException {
    return db.exists("SELECT 1 FROM bans WHERE space_id = ? AND user_id = ?", spaceId, userId);
  }

  public static void ban(Db db, long spaceId, String userId, String by, String reason, long now) throws SQLException {
    db.update("INSERT INTO bans(space_id, user_id, banned_by, reason, created_at) VALUES (?, ?, ?, ?, ?)"
        + " ON CONFLICT(space_id, user_id) DO UPDATE SET reason = excluded.reason", spaceId, userId, by, reason, now);
    db.update("UPDATE invites SET status = 'declined', decided_at = ? WHERE space_id = ? AND invitee_id = ?"
        + " AND status = 'pending'", now, spaceId, userId);
  }

  public static boolean unban(Db db, long spaceId, String userId) throws SQLException {
    return db.update("DELETE FROM bans WHERE space_id = ? AND user_id = ?", spaceId, userId) > 0;
  }

  // ---- invites ----

  private static final String INVITE_SELECT = "SELECT i.id, i.space_id, s.name, i.created_at,"
      + " a.id, a.username, a.display_name, b.id, b.username, b.display_name"
      + " FROM invites i JOIN spaces s ON s.id = i.space_id"
      + " JOIN users a ON a.id = i.inviter_id JOIN users b ON b.id = i.invitee_id";

  private static Invite invite(ResultSet rs) throws SQLException {
    return new Invite(Long.toString(rs.getLong(1)), Long.toString(rs.getLong(2)), rs.getString(3),
        new UserRef(rs.getString(5), rs.getString(6), rs.getString(7)),
        new UserRef(rs.getString(8), rs.getString(9), rs.getString(10)), rs.getLong(4));
  }

  /** Creates a pending invite; {@code conflict} if one is already pending for that user. */
  public static Invite createInvite(Db db, long spaceId, String inviterId, String inviteeId, long now)
      throws SQLException {
    if (db.exists("SELECT 1 FROM invites WHERE space_id = ? AND invitee_id = ? AND status = 'pending'",
        spaceId, inviteeId)) {
      throw HostApiException.conflict("an invite for this user is already pending");
    }
    long id = db.insert("INSERT INTO invites(space_id, inviter_id, invitee_id, status, created_at)"
        + " VALUES (?, ?, ?, 'pending', ?)", spaceId, inviterId, inviteeId, now);
    return pendingInvite(db, id).orElseThrow();
  }

  public static Optional<Invite> pendingInvite(Db db, long inviteId) throws SQLException {
    PreparedStatement ps = db.bind(INVITE_SELECT + " WHERE i.id = ? AND i.status = 'pending'", inviteId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(invite(rs)) : Optional.empty();
    }
  }

  public static List<Invite> pendingInvitesFor(Db db, String userId) throws SQLException {
    PreparedStatement ps = db.bind(INVITE_SELECT + " WHERE i.invitee_id = ? AND i.status = 'pending'"
        + " ORDER BY i.id", userId);
    List<Invite> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(invite(rs));
      }
    }
    return out;
  }

  public static void decideInvite(Db db, long inviteId, boolean accepted, long now) throws SQLException {
    db.update("UPDATE invites SET status = ?, decided_at = ? WHERE id = ?", accepted ? "accepted" : "declined",
        now, inviteId);
  }

  // ---- invite codes ----

  public static InviteCode createCode(Db db, long spaceId, String createdBy, Integer maxUses, Long expiresAt,
      long now) throws SQLException {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    String code = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    db.update("INSERT INTO invite_codes(code, space_id, created_by, created_at, expires_at, max_uses, uses)"
        + " VALUES (?, ?, ?, ?, ?, ?, 0)", code, spaceId, createdBy, now, expiresAt, maxUses);
    return new InviteCode(code, Long.toString(spaceId), createdBy, maxUses, 0, expiresAt);
  }

  /**
   * Uses one redemption of a valid code and returns its space; unknown, expired and used-up
   * codes are all {@code not_found}, so codes cannot be probed.
   */
  public static long useCode(Db db, String code, long now) throws SQLException {
    PreparedStatement ps = db.bind("SELECT space_id, expires_at, max_uses, uses FROM invite_codes WHERE code = ?", code);
    long spaceId;
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw HostApiException.notFound("invite code");
      }
      spaceId = rs.getLong(1);
      long expires = rs.getLong(2);
      boolean expiring = !rs.wasNull();
      int max = rs.getInt(3);
      boolean limited = !rs.wasNull();
      int uses = rs.getInt(4);
      if (expiring && expires <= now || limited && uses >= max) {
        throw HostApiException.notFound("invite code");
      }
    }
    db.update("UPDATE invite_codes SET uses = uses + 1 WHERE code = ?", code);
    return spaceId;
  }
}
