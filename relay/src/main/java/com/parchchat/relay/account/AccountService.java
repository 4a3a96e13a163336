package com.parchchat.relay.account;

import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.UserRef;
import com.parchchat.relay.config.AccountsConfig;
import com.parchchat.relay.config.LimitsConfig;
import com.parchchat.relay.mail.Mailer;
import com.parchchat.relay.store.PasswordResetStore;
import com.parchchat.relay.store.SessionRecord;
import com.parchchat.relay.store.SessionStore;
import com.parchchat.relay.store.StoreException;
import com.parchchat.relay.store.UserRecord;
import com.parchchat.relay.store.UserStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and login sessions. Every method blocks (Argon2id, SQLite): call from the relay's
 * blocking executor, never from an event loop. Errors are {@link ApiException}s with stable codes.
 */
public final class AccountService {
  private static final Logger log = LoggerFactory.getLogger(AccountService.class);

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");
  public static final int MIN_PASSWORD = 8;
  public static final int MAX_PASSWORD = 1024;
  public static final int MAX_DISPLAY_NAME = 64;
  /** Refresh a session's last-seen time at most this often, to keep reads cheap. */
  private static final long TOUCH_INTERVAL_MS = 60_000;

  /** Told when login sessions end, so live connections that used them are closed. */
  public interface RevocationListener {
    void revoked(List<String> sessionIds);
  }

  private final UserStore users;
  private final SessionStore sessions;
  private final PasswordResetStore resets;
  private final PasswordHasher hasher;
  private final Mailer mailer;
  private final AccountsConfig config;
  private final LimitsConfig limits;
  private final String publicUrl;
  private final LongSupplier clock;
  private final RateLimiter registerPerIp;
  private final RateLimiter loginPerIp;
  private final RateLimiter loginFailuresPerAccount;
  private final RateLimiter resetPerIp;
  private final String dummyHash;
  private volatile RevocationListener revocationListener = ids -> {};

  public AccountService(
      UserStore users,
      SessionStore sessions,
      PasswordResetStore resets,
      PasswordHasher hasher,
      Mailer mailer,
      AccountsConfig config,
      LimitsConfig limits,
      String publicUrl,
      LongSupplier clock) {
    this.users = users;
    this.sessions = sessions;
    this.resets = resets;
    this.hasher = hasher;
    this.mailer = mailer;
    this.config = config;
    this.limits = limits;
    this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    this.clock = clock;
    this.registerPerIp = new RateLimiter(limits.registerPerIpPerHour(), Duration.ofHours(1).toMillis(), clock);
    this.loginPerIp = new RateLimiter(limits.loginPerIpPerMinute(), Duration.ofMinutes(1).toMillis(), clock);
    this.loginFailuresPerAccount =
        new RateLimiter(limits.loginFailuresPerAccount(), Duration.ofMinutes(15).toMillis(), clock);
    this.resetPerIp = new RateLimiter(limits.resetPerIpPerHour(), Duration.ofHours(1).toMillis(), clock);
    this.dummyHash = hasher.hash("timing-equaliser-" + Tokens.newSecret());
  }

  public void setRevocationListener(RevocationListener listener) {
    this.revocationListener = listener;
  }

  public UserRef register(String username, String displayName, String email, String password, String ip) {
    if (username == null || !USERNAME.matcher(username).matches()) {
      throw ApiException.badRequest("username must be 3-32 characters of letters, digits, '_', '.', '-'");
    }
    String name = validDisplayName(displayName == null || displayName.isBlank() ? username : displayName);
    if (email == null || email.length() > 254 || !EMAIL.matcher(email).matches()) {
      throw ApiException.badRequest("email is not a valid address");
    }
    validPassword(password);
    if (!registerPerIp.tryAcquire(ip)) {
      throw ApiException.rateLimited("too many registrations from this address; try again later");
    }
    if (users.byUsername(username).isPresent()) {
      throw new ApiException(ErrorCode.CONFLICT, "username is taken");
    }
    long now = clock.getAsLong();
    UserRecord u = new UserRecord(Tokens.newId("u_"), username, name, email, hasher.hash(password), now);
    try {
      users.insert(u);
    } catch (StoreException e) {
      if (e.isUniqueViolation()) {
        throw new ApiException(ErrorCode.CONFLICT, "username is taken");
      }
      throw e;
    }
    log.info("registered user {} ({})", u.id(), u.username());
    return ref(u);
  }

  public LoginResult login(String username, String password, String userAgent, String ip) {
    if (username == null || password == null || username.length() > 64 || password.length() > MAX_PASSWORD) {
      throw ApiException.badRequest("username and password are required");
    }
    if (!loginPerIp.tryAcquire(ip)) {
      throw ApiException.rateLimited("too many login attempts from this address; try again later");
    }
    String accountKey = username.toLowerCase(Locale.ROOT);
    if (!loginFailuresPerAccount.allows(accountKey)) {
      throw ApiException.rateLimited("too many failed logins for this account; try again later");
    }
    Optional<UserRecord> found = users.byUsername(username);
    boolean ok = hasher.verify(password, found.map(UserRecord::passwordHash).orElse(dummyHash)) && found.isPresent();
    if (!ok) {
      loginFailuresPerAccount.tryAcquire(accountKey);
      log.info("failed login for '{}' from {}", clip(username), ip);
      throw ApiException.unauthorized("wrong username or password");
    }
    loginFailuresPerAccount.reset(accountKey);
    UserRecord u = found.get();
    long now = clock.getAsLong();
    String token = Tokens.newSecret();
    long expires = now + Duration.ofDays(config.sessionTtlDays()).toMillis();
    SessionRecord s =
        new SessionRecord(Tokens.newId("s_"), u.id(), Tokens.hash(token), now, now, expires, clip(userAgent), ip);
    List<String> before = ids(sessions.byUser(u.id()));
    sessions.insert(s, limits.maxSessionsPerUser());
    List<String> after = ids(sessions.byUser(u.id()));
    before.removeAll(after);
    if (!before.isEmpty()) {
      revocationListener.revoked(before);
    }
    return new LoginResult(token, s.id(), expires, ref(u));
  }

  /** Verifies a bearer token; throws {@code unauthorized} for an unknown or expired one. */
  public AuthenticatedSession authenticate(String token) {
    if (token == null || token.isEmpty() || token.length() > 256) {
      throw ApiException.unauthorized("missing or invalid session token");
    }
    long now = clock.getAsLong();
    SessionRecord s =
        sessions
            .byTokenHash(Tokens.hash(token))
            .orElseThrow(() -> ApiException.unauthorized("missing or invalid session token"));
    if (s.expiresAt() <= now) {
      throw ApiException.unauthorized("session expired; log in again");
    }
    UserRecord u =
        users.byId(s.userId()).orElseThrow(() -> ApiException.unauthorized("missing or invalid session token"));
    if (now - s.lastSeenAt() > TOUCH_INTERVAL_MS) {
      sessions.touch(s.id(), now, now + Duration.ofDays(config.sessionTtlDays()).toMillis());
    }
    return new AuthenticatedSession(u, s.id());
  }

  public List<SessionRecord> sessions(AuthenticatedSession auth) {
    return sessions.byUser(auth.user().id());
  }

  public void revokeSession(AuthenticatedSession auth, String sessionId) {
    if (!sessions.delete(auth.user().id(), sessionId)) {
      throw ApiException.notFound("no such session");
    }
    revocationListener.revoked(List.of(sessionId));
  }

  public void logout(AuthenticatedSession auth) {
    revokeSession(auth, auth.sessionId());
  }

  /** Changes the password and revokes every other session of the user. */
  public void changePassword(AuthenticatedSession auth, String currentPassword, String newPassword) {
    validPassword(newPassword);
    if (currentPassword == null || !hasher.verify(currentPassword, auth.user().passwordHash())) {
      throw ApiException.unauthorized("current password is wrong");
    }
    users.updatePasswordHash(auth.user().id(), hasher.hash(newPassword), clock.getAsLong());
    List<String> revoked = sessions.deleteAllExcept(auth.user().id(), auth.sessionId());
    revocationListener.revoked(revoked);
    log.info("user {} changed password; {} other sessions revoked", auth.user().id(), revoked.size());
  }

  public UserRef changeDisplayName(AuthenticatedSession auth, String displayName) {
    String name = validDisplayName(displayName);
    users.updateDisplayName(auth.user().id(), name, clock.getAsLong());
    return new UserRef(auth.user().id(), auth.user().username(), name);
  }

  /**
   * Mails a one-time reset link if an account matches the username or email. Answers the same
   * whether or not one matches, so the API does not reveal which accounts exist.
   */
  public void requestPasswordReset(String usernameOrEmail, String ip) {
    if (usernameOrEmail == null || usernameOrEmail.isBlank() || usernameOrEmail.length() > 254) {
      throw ApiException.badRequest("username or email is required");
    }
    if (!resetPerIp.tryAcquire(ip)) {
      throw ApiException.rateLimited("too many reset requests from this address; try again later");
    }
    Optional<UserRecord> user =
        usernameOrEmail.contains("@") ? users.byEmail(usernameOrEmail) : users.byUsername(usernameOrEmail);
    if (user.isEmpty()) {
      log.info("password reset requested for an unknown account from {}", ip);
      return;
    }
    UserRecord u = user.get();
    long now = clock.getAsLong();
    String token = Tokens.newSecret();
    resets.insert(Tokens.hash(token), u.id(), now, now + Duration.ofMinutes(config.resetTokenTtlMinutes()).toMillis());
    try {
      mailer.sendPasswordReset(
          u.email(), u.username(), publicUrl + "/reset?token=" + token, config.resetTokenTtlMinutes());
      log.info("password reset mail sent for user {}", u.id());
    } catch (Mailer.MailException e) {
      log.warn("password reset mail for user {} failed: {}", u.id(), e.getMessage());
      throw new ApiException(ErrorCode.UNAVAILABLE, "could not send the reset mail; try again later");
    }
  }

  /** Sets a new password with a reset token (single use, unexpired) and revokes all sessions. */
  public void confirmPasswordReset(String token, String newPassword) {
    validPassword(newPassword);
    if (token == null || token.isEmpty() || token.length() > 256) {
      throw ApiException.unauthorized("invalid or expired reset token");
    }
    String userId =
        resets
            .consume(Tokens.hash(token), clock.getAsLong())
            .orElseThrow(() -> ApiException.unauthorized("invalid or expired reset token"));
    users.updatePasswordHash(userId, hasher.hash(newPassword), clock.getAsLong());
    List<String> revoked = sessions.deleteAllExcept(userId, null);
    revocationListener.revoked(revoked);
    log.info("user {} reset the password; {} sessions revoked", userId, revoked.size());
  }

  /** Deletes the account after checking the password; all its sessions end. */
  public void deleteAccount(AuthenticatedSession auth, String password) {
    if (password == null || !hasher.verify(password, auth.user().passwordHash())) {
      throw ApiException.unauthorized("password is wrong");
    }
    List<String> all = ids(sessions.byUser(auth.user().id()));
    users.delete(auth.user().id());
    revocationListener.revoked(all);
    log.info("user {} deleted the account", auth.user().id());
  }

  public Optional<UserRef> lookup(String username) {
    return users.byUsername(username).map(AccountService::ref);
  }

  /** Drops expired sessions, resets and idle rate-limit buckets; run periodically. */
  public void housekeeping() {
    long now = clock.getAsLong();
    int s = sessions.deleteExpired(now);
    int r = resets.deleteExpired(now - Duration.ofDays(1).toMillis());
    registerPerIp.sweep();
    loginPerIp.sweep();
    loginFailuresPerAccount.sweep();
    resetPerIp.sweep();
    if (s + r > 0) {
      log.debug("housekeeping removed {} expired sessions and {} old reset tokens", s, r);
    }
  }

  private static UserRef ref(UserRecord u) {
    return new UserRef(u.id(), u.username(), u.displayName());
  }

  private static List<String> ids(List<SessionRecord> list) {
    List<String> out = new java.util.ArrayList<>(list.size());
    for (SessionRecord r : list) {
      out.add(r.id());
    }
    return out;
  }

  private static void validPassword(String password) {
    if (password == null || password.length() < MIN_PASSWORD) {
      throw ApiException.badRequest("password must have at least " + MIN_PASSWORD + " characters");
    }
    if (password.length() > MAX_PASSWORD) {
      throw new ApiException(ErrorCode.TOO_LARGE, "password is longer than " + MAX_PASSWORD + " characters");
    }
  }

  private static String validDisplayName(String name) {
    if (name == null || name.isBlank()) {
      throw ApiException.badRequest("displayName must not be empty");
    }
    String trimmed = name.strip();
    if (trimmed.length() > MAX_DISPLAY_NAME) {
      throw ApiException.badRequest("displayName is longer than " + MAX_DISPLAY_NAME + " characters");
    }
    for (int i = 0; i < trimmed.length(); i++) {
      if (Character.isISOControl(trimmed.charAt(i))) {
        throw ApiException.badRequest("displayName must not contain control characters");
      }
    }
    return trimmed;
  }

  private static String clip(String s) {
    if (s == null) {
      return null;
    }
    return s.length() <= 200 ? s : s.substring(0, 200);
  }
}
