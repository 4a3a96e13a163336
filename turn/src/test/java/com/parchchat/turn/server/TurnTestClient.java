package com.parchchat.turn.server;

import com.parchchat.protocol.stun.StunAttribute;
import com.parchchat.protocol.stun.StunAttribute.ErrorCode;
import com.parchchat.protocol.stun.StunAttribute.Nonce;
import com.parchchat.protocol.stun.StunAttribute.Realm;
import com.parchchat.protocol.stun.StunAttribute.RequestedTransport;
import com.parchchat.protocol.stun.StunAttribute.Username;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.protocol.stun.StunParseException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * A minimal TURN client over a real UDP socket, built on the common-protocol codec; it does
 * the 401 → REALM/NONCE → authenticated retry dance like a real client.
 */
public final class TurnTestClient implements AutoCloseable {
  private final DatagramSocket socket;
  private final InetSocketAddress server;
  private final String username;
  private final String password;
  private String realm;
  private String nonce;

  public TurnTestClient(InetSocketAddress server, String username, String password) throws IOException {
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.socket.setSoTimeout(3000);
    this.server = server;
    this.username = username;
    this.password = password;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  public void send(byte[] bytes) throws IOException {
    socket.send(new DatagramPacket(bytes, bytes.length, server));
  }

  /** Next datagram from the server, or null after {@code timeoutMillis}. */
  public byte[] receive(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    byte[] buf = new byte[65536];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(p);
    } catch (SocketTimeoutException e) {
      return null;
    }
    return Arrays.copyOf(buf, p.getLength());
  }

  /** Sends a request and waits for the response with the same transaction id. */
  public StunMessage transact(byte[] request) throws IOException, StunParseException {
    StunMessage req = StunMessage.decode(request);
    send(request);
    long deadline = System.currentTimeMillis() + 3000;
    while (System.currentTimeMillis() < deadline) {
      byte[] b = receive(3000);
      if (b == null) {
        break;
      }
      if (!StunMessage.isStun(b, 0, b.length)) {
        continue;
      }
      StunMessage m = StunMessage.decode(b);
      if (m.messageClass().isResponse() && Arrays.equals(m.transactionId(), req.transactionId())) {
        return m;
      }
    }
    throw new IOException("no response to " + StunMethod.name(req.method()));
  }

  /** An unauthenticated request. */
  public StunMessage plain(int method, StunAttribute... attrs) throws IOException, StunParseException {
    StunMessage.Builder b = StunMessage.builder(method, StunClass.REQUEST, StunMessage.newTransactionId());
    for (StunAttribute a : attrs) {
      b.add(a);
    }
    return transact(b.encode());
  }

  /** An authenticated request; learns REALM and NONCE first (and again after 438) if needed. */
  public StunMessage authed(int method, StunAttribute... attrs) throws IOException, StunParseException {
    if (nonce == null) {
      StunMessage challenge = plain(method, attrs);
      if (!learn(challenge)) {
        return challenge;
      }
    }
    StunMessage r = transact(authedBytes(method, attrs));
    if (r.messageClass() == StunClass.ERROR_RESPONSE && r.get(ErrorCode.class).code() == ErrorCode.STALE_NONCE) {
      learn(r);
      r = transact(authedBytes(method, attrs));
    }
    return r;
  }

  /** The bytes of an authenticated request with the current nonce (no retries). */
  public byte[] authedBytes(int method, StunAttribute... attrs) {
    StunMessage.Builder b = StunMessage.builder(method, StunClass.REQUEST, StunMessage.newTransactionId())
        .add(new Username(username)).add(new Realm(realm)).add(new Nonce(nonce));
    for (StunAttribute a : attrs) {
      b.add(a);
    }
    return b.integrity(StunIntegrity.longTermKey(username, realm, password)).fingerprint().encode();
  }

  /** Stores REALM and NONCE from a 401/438; false if the response was something else. */
  public boolean learn(StunMessage r) {
    if (r.messageClass() != StunClass.ERROR_RESPONSE || r.get(Nonce.class) == null) {
      return false;
    }
    realm = r.get(Realm.class).value();
    nonce = r.get(Nonce.class).value();
    return true;
  }

  public String nonce() {
    return nonce;
  }

  public StunMessage allocate() throws IOException, StunParseException {
    return authed(StunMethod.ALLOCATE, new RequestedTransport(RequestedTransport.UDP));
  }

  public boolean verifies(StunMessage response) {
    return StunIntegrity.verifyMessageIntegrity(response, StunIntegrity.longTermKey(username, realm, password));
  }

  @Override
  public void close() {
    socket.close();
  }

  public static int code(StunMessage r) {
    ErrorCode e = r.get(ErrorCode.class);
    return e == null ? 0 : e.code();
  }
}
