/**
 * The STUN and TURN binary codec: RFC 8489 (STUN) messages and attributes, the ICE
 * attributes of RFC 8445, the TURN attributes and methods of RFC 8656, and ChannelData
 * framing. Used by the TURN server and by the SFU's ICE-lite agent.
 *
 * <p>No Netty and no I/O: everything works on {@code byte[]}.
 * <ul>
 *   <li>{@link com.parchchat.protocol.stun.StunMessage} — header (§5), decode/encode, builder
 *       that appends MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT.
 *   <li>{@link com.parchchat.protocol.stun.StunAttribute} — one record per attribute type.
 *   <li>{@link com.parchchat.protocol.stun.StunIntegrity} — short-term and long-term keys,
 *       integrity and fingerprint checks.
 *   <li>{@link com.parchchat.protocol.stun.ChannelData} and
 *       {@link com.parchchat.protocol.stun.StunFraming} — RFC 8656 §12 and stream framing.
 * </ul>
 *
 * <p>Decoders never trust a length field: every read is bounds-checked and bad bytes raise
 * {@link com.parchchat.protocol.stun.StunParseException} with a
 * {@link com.parchchat.protocol.stun.StunParseException.Reason}; no other exception escapes.
 * The RFC 5769 test vectors and a seeded random/mutation test in the test tree prove it.
 */
package com.parchchat.protocol.stun;
