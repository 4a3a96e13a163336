package com.parchchat.host.auth;

import com.parchchat.host.store.Db;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.Role;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Authorization from membership and role. The one rule that matters most: a user who is not a
 * member of a space learns nothing about it. Every check that fails for a non-member throws the
 * same {@code not_found} as a space, channel or message that does not exist, so ids cannot be
 * probed. Members who lack the role get {@code forbidden}.
 */
public final class Access {
  private Access() {}

  /** The caller's role in the space, or null when not a member (or no such space). */
  public static Role roleOf(Db db, long spaceId, String userId) throws SQLException {
    PreparedStatement ps = db.bind("SELECT role FROM members WHERE space_id = ? AND user_id = ?", spaceId, userId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Role.fromWire(rs.getString(1)) : null;
    }
  }

  /** Requires membership; returns the role. */
  public static Role requireMember(Db db, long spaceId, String userId) throws SQLException {
    Role role = roleOf(db, spaceId, userId);
    if (role == null) {
      throw HostApiException.notFound("space");
    }
    return role;
  }

  /** Requires membership with at least {@code min}; returns the role. */
  public static Role requireRole(Db db, long spaceId, String userId, Role min) throws SQLException {
    Role role = requireMember(db, spaceId, userId);
    if (!role.atLeast(min)) {
      throw HostApiException.forbidden("requires the " + min.wire() + " role");
    }
    return role;
  }

  /** A channel the caller can see: its space id and kind. */
  public record ChannelAccess(long channelId, long spaceId, ChannelKind kind, Role role) {}

  /** Requires the channel to exist in a space the caller is a member of. */
  public static ChannelAccess requireChannel(Db db, long channelId, String userId) throws SQLException {
    PreparedStatement ps = db.bind(
        "SELECT c.space_id, c.kind, m.role FROM channels c"
            + " JOIN members m ON m.space_id = c.space_id AND m.user_id = ? WHERE c.id = ?",
        userId, channelId);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw HostApiException.notFound("channel");
      }
      return new ChannelAccess(channelId, rs.getLong(1), ChannelKind.fromWire(rs.getString(2)),
          Role.fromWire(rs.getString(3)));
    }
  }

  /**
   * Whether {@code actor} may remove {@code target} from a space: owners anyone but themselves,
   * admins plain members only.
   */
  public static boolean mayRemove(Role actor, Role target) {
    if (actor == Role.OWNER) {
      return target != Role.OWNER;
    }
    return actor == Role.ADMIN && target == Role.MEMBER;
  }
}
