package com.parchchat.sfu.ice;

import com.parchchat.protocol.stun.StunAttribute;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import java.net.InetSocketAddress;

/**
 * The ICE-lite side of one session (RFC 8445 §2.5): it never sends checks, only answers the full
 * agent's Binding requests, and takes the address of the last request carrying USE-CANDIDATE as
 * the selected pair. Valid checks also refresh media consent (RFC 7675 §5.1). Not thread-safe:
 * called on the media thread.
 */
public final class IceLiteAgent {
  /** What the media server should do with a Binding request. */
  public record Outcome(byte[] response, boolean valid, boolean nominated) {}

  private final IceCredentials local;
  private final byte[] key;
  private volatile InetSocketAddress selected;
  private volatile long lastConsentNanos;

  public IceLiteAgent(IceCredentials local) {
    this.local = local;
    this.key = StunIntegrity.shortTermKey(local.pwd());
  }

  public IceCredentials credentials() {
    return local;
  }

  /** The nominated address media goes to, or null before nomination. */
  public InetSocketAddress selected() {
    return selected;
  }

  public long lastConsentNanos() {
    return lastConsentNanos;
  }

  /**
   * Handles one Binding request from {@code from} (RFC 8445 §7.3, RFC 8489 §9.1.3). Returns a
   * response to send (success or error) or null when the request must be dropped silently.
   */
  public Outcome onRequest(StunMessage req, InetSocketAddress from, long nowNanos) {
    // RFC 8489 §7.3: a FINGERPRINT that does not match means "not STUN": drop silently.
    if (req.has(StunAttribute.Fingerprint.class) && !StunIntegrity.verifyFingerprint(req)) {
      return null;
    }
    if (!req.is(StunMethod.BINDING, StunClass.REQUEST)) {
      return null;
    }
    StunAttribute.Username username = req.get(StunAttribute.Username.class);
    // RFC 8489 §9.1.3: missing USERNAME or MESSAGE-INTEGRITY → 400.
    if (username == null || !req.has(StunAttribute.MessageIntegrity.class)) {
      return new Outcome(error(req, StunAttribute.ErrorCode.BAD_REQUEST, false), false, false);
    }
    // RFC 8445 §7.3: USERNAME is "<our ufrag>:<their ufrag>"; anything else → 401.
    String u = username.value();
    int colon = u.indexOf(':');
    if (colon < 0 || !u.substring(0, colon).equals(local.ufrag())) {
      return new Outcome(error(req, StunAttribute.ErrorCode.UNAUTHENTICATED, false), false, false);
    }
    // RFC 8489 §9.1.3: integrity keyed with our password; mismatch → 401 without integrity.
    if (!StunIntegrity.verifyMessageIntegrity(req, key)) {
      return new Outcome(error(req, StunAttribute.ErrorCode.UNAUTHENTICATED, false), false, false);
    }
    // RFC 8445 §7.3.1.1: a lite agent is always controlled; a controlled peer is a role conflict.
    if (req.has(StunAttribute.IceControlled.class)) {
      return new Outcome(error(req, StunAttribute.ErrorCode.ROLE_CONFLICT, true), false, false);
    }
    lastConsentNanos = nowNanos;
    boolean nominate = req.has(StunAttribute.UseCandidate.class);
    // RFC 8445 §7.3.1.5 / §8.2: a lite agent takes the nominated pair; a later nomination of another
    // address (e.g. after a network change) replaces it.
    if (nominate || selected == null) {
      selected = from;
    }
    byte[] resp = req.responseBuilder(StunClass.SUCCESS_RESPONSE)
        .add(new StunAttribute.XorMappedAddress(from))
        .integrity(key)
        .fingerprint()
        .encode();
    return new Outcome(resp, true, nominate);
  }

  private byte[] error(StunMessage req, int code, boolean withIntegrity) {
    StunMessage.Builder b = req.responseBuilder(StunClass.ERROR_RESPONSE).add(StunAttribute.ErrorCode.of(code));
    if (withIntegrity) {
      b.integrity(key);
    }
    return b.fingerprint().encode();
  }
}
