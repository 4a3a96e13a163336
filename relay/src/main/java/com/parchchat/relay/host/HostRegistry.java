package com.parchchat.relay.host;

import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.relay.account.ApiException;
import com.parchchat.relay.account.RateLimiter;
import com.parchchat.relay.account.Tokens;
import com.parchchat.relay.store.HostRecord;
import com.parchchat.relay.store.HostStore;
import com.parchchat.relay.store.StoreException;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registered hosts and the challenge-response check of a connecting host. Blocking (SQLite):
 * call from the blocking executor.
 *
 * <p>Replay: every connection gets a fresh random nonce, so an old signature never verifies
 * against a new challenge. Recently accepted signatures are also remembered, so a replayed one
 * is logged as a replay rather than a plain forgery.
 */
public final class HostRegistry {
  private static final Logger log = LoggerFactory.getLogger(HostRegistry.class);
  private static final int MAX_NAME = 100;
  private static final int REMEMBERED_SIGNATURES = 4096;

  /** Outcome of a host's {@code host.auth}. */
  public enum AuthResult {
    OK,
    UNKNOWN_HOST,
    BAD_SIGNATURE,
    REPLAYED
  }

  private final HostStore store;
  private final RateLimiter registerPerIp;
  private final LongSupplier clock;
  private final Map<String, Boolean> acceptedSignatures =
      Collections.synchronizedMap(
          new LinkedHashMap<>(256, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED_SIGNATURES;
            }
          });

  public HostRegistry(HostStore store, int registerPerIpPerHour, LongSupplier clock) {
    this.store = store;
    this.clock = clock;
    this.registerPerIp = new RateLimiter(registerPerIpPerHour, Duration.ofHours(1).toMillis(), clock);
  }

  /** Registers a host; returns its id, the Host Key users paste into the client. */
  public HostRecord register(String name, String publicKeyBase64, String ownerUserId, String ip) {
    if (name == null || name.isBlank() || name.strip().length() > MAX_NAME) {
      throw ApiException.badRequest("name must be 1-" + MAX_NAME + " characters");
    }
    byte[] raw;
    try {
      raw = HostKeys.parseRaw(publicKeyBase64);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (!registerPerIp.tryAcquire(ip)) {
      throw ApiException.rateLimited("too many host registrations from this address; try again later");
    }
    if (store.idByPublicKey(raw).isPresent()) {
      throw new ApiException(ErrorCode.CONFLICT, "a host with this public key is already registered");
    }
    HostRecord h = new HostRecord(Tokens.newId("h_"), name.strip(), raw, ownerUserId, clock.getAsLong());
    try {
      store.insert(h);
    } catch (StoreException e) {
      if (e.isUniqueViolation()) {
        throw new ApiException(ErrorCode.CONFLICT, "a host with this public key is already registered");
      }
      throw e;
    }
    log.info("registered host {} ('{}')", h.id(), h.name());
    return h;
  }

  public Optional<HostRecord> find(String hostId) {
    if (hostId == null || hostId.isEmpty() || hostId.length() > 128) {
      return Optional.empty();
    }
    return store.byId(hostId);
  }

  /** Checks a host's answer to the challenge {@code nonce}; logs refusals. */
  public AuthResult verify(String hostId, String nonce, String signatureBase64, String remote) {
    Optional<HostRecord> host = find(hostId);
    if (host.isEmpty()) {
      log.warn("host auth refused from {}: unknown host id", remote);
      return AuthResult.UNKNOWN_HOST;
    }
    byte[] sig;
    try {
      sig = Base64.getDecoder().decode(signatureBase64);
    } catch (IllegalArgumentException e) {
      log.warn("host auth refused for {} from {}: signature is not base64", hostId, remote);
      return AuthResult.BAD_SIGNATURE;
    }
    if (acceptedSignatures.containsKey(signatureBase64)) {
      log.warn("host auth refused for {} from {}: replayed signature", hostId, remote);
      return AuthResult.REPLAYED;
    }
    byte[] payload = HostToRelay.HostAuth.signedPayloadBytes(hostId, nonce);
    if (!HostKeys.verify(host.get().publicKey(), payload, sig)) {
      log.warn("host auth refused for {} from {}: bad signature", hostId, remote);
      return AuthResult.BAD_SIGNATURE;
    }
    acceptedSignatures.put(signatureBase64, Boolean.TRUE);
    return AuthResult.OK;
  }
}
