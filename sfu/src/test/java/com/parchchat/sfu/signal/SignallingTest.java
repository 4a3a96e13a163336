package com.parchchat.sfu.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuErrorReason;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.voice.SfuTokenClaims;
import com.parchchat.sfu.support.SfuFixture;
import com.parchchat.sfu.support.SignalClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SFU's WebSocket signalling and admin API against a real server on loopback (no media). */
class SignallingTest {
  private static final Duration T = Duration.ofSeconds(5);
  private static SfuFixture sfu;
  private final List<SignalClient> clients = new ArrayList<>();
  private String room;

  @BeforeAll
  static void startSfu() throws Exception {
    sfu = new SfuFixture(SfuFixture.config().withRooms(2, 0));
  }

  @AfterAll
  static void stopSfu() {
    sfu.close();
  }

  @BeforeEach
  void freshRoom() {
    room = "hostA:" + UUID.randomUUID();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(SignalClient::close);
  }

  private SignalClient client() throws Exception {
    SignalClient c = new SignalClient(sfu.wsUri());
    clients.add(c);
    return c;
  }

  private SignalClient joined(String user, boolean speak) throws Exception {
    SignalClient c = client();
    c.send(new ClientToSfu.Join(SfuFixture.token(user, room, speak), room, null));
    c.await(SfuToClient.Joined.class, T);
    return c;
  }

  private static SfuToClient.Error refusal(SignalClient c) {
    SfuToClient.Error e = c.await(SfuToClient.Error.class, T);
    await().atMost(T).until(c::closedByServer);
    return e;
  }

  @Test
  void garbageTokenIsRefusedAndConnectionClosed() throws Exception {
    SignalClient c = client();
    c.send(new ClientToSfu.Join("not.a.jwt", null, null));
    SfuToClient.Error e = refusal(c);
    assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(e.reason()).isEqualTo(SfuErrorReason.TOKEN_INVALID);
  }

  @Test
  void tokenSignedWithAnotherSecretIsRefused() throws Exception {
    SignalClient c = client();
    c.send(new ClientToSfu.Join(SfuFixture.token("u1", room, true, System.currentTimeMillis() + 60_000,
        "another-secret-another-secret-another-secret", SfuTokenClaims.AUDIENCE), null, null));
    assertThat(refusal(c).reason()).isEqualTo(SfuErrorReason.TOKEN_INVALID);
  }

  @Test
  void tokenForAnotherAudienceIsRefused() throws Exception {
    SignalClient c = client();
    c.send(new ClientToSfu.Join(SfuFixture.token("u1", room, true, System.currentTimeMillis() + 60_000,
        SfuFixture.TOKEN_SECRET, "parch-turn"), null, null));
    assertThat(refusal(c).reason()).isEqualTo(SfuErrorReason.TOKEN_INVALID);
  }

  @Test
  void expiredTokenIsRefused() throws Exception {
    SignalClient c = client();
    c.send(new ClientToSfu.Join(SfuFixture.token("u1", room, true, System.currentTimeMillis() - 120_000,
        SfuFixture.TOKEN_SECRET, SfuTokenClaims.AUDIENCE), null, null));
    SfuToClient.Error e = refusal(c);
    assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(e.reason()).isEqualTo(SfuErrorReason.TOKEN_EXPIRED);
  }

  @Test
  void wrongRoomTokenIsRefused() throws Exception {
    SignalClient c = client();
    c.send(new ClientToSfu.Join(SfuFixture.token("u1", "hostA:other", true), room, null));
    assertThat(refusal(c).reason()).isEqualTo(SfuErrorReason.TOKEN_WRONG_ROOM);
    assertThat(sfu.server().rooms().hasRoom("hostA:other")).isFalse();
  }

  @Test
  void malformedFramesGetTypedErrorsAndTheConnectionStaysUp() throws Exception {
    SignalClient c = client();
    c.sendRaw("{not json");
    c.sendRaw("{\"type\":\"teleport\"}");
    c.sendRaw("{\"type\":\"answer\",\"sdp\":\"v=0\",\"revision\":1}");
    await().atMost(T).until(() -> c.frames().size() == 3);
    List<SfuToClient> f = c.frames();
    assertThat(((SfuToClient.Error) f.get(0)).reason()).isEqualTo(SfuErrorReason.BAD_FRAME);
    assertThat(((SfuToClient.Error) f.get(1)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(((SfuToClient.Error) f.get(2)).reason()).isEqualTo(SfuErrorReason.NOT_JOINED);
    assertThat(c.closedByServer()).isFalse();
    c.send(new ClientToSfu.Join(SfuFixture.token("u1", room, true), null, null));
    assertThat(c.await(SfuToClient.Joined.class, T).self().userId()).isEqualTo("u1");
  }

  @Test
  void malformedOfferInJoinIsRefusedWithSdpInvalid() throws Exception {
    SignalClient c = client();
    c.send(new ClientToSfu.Join(SfuFixture.token("u1", room, true), null, "v=0\r\nm=audio\r\n"));
    SfuToClient.Error e = refusal(c);
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(e.reason()).isEqualTo(SfuErrorReason.SDP_INVALID);
  }

  @Test
  void joinGetsJoinedThenAnIceLiteOfferAndBadAnswersAreTypedErrors() throws Exception {
    SignalClient c = joined("u1", true);
    SfuToClient.Offer offer = c.await(SfuToClient.Offer.class, T);
    assertThat(offer.sdp()).contains("a=ice-lite", "a=fingerprint:sha-256 ", "a=setup:actpass", "a=mid:0",
        "a=recvonly", "opus/48000/2", "typ host", "127.0.0.1 " + sfu.server().mediaAddress().getPort());
    c.send(new ClientToSfu.Answer("v=0\r\nnonsense", offer.revision()));
    c.send(new ClientToSfu.Answer(offer.sdp(), offer.revision() + 7));
    await().atMost(T).until(() -> c.frames().stream().filter(f -> f instanceof SfuToClient.Error).count() == 2);
    List<SfuErrorReason> reasons = new ArrayList<>();
    for (SfuToClient f : c.frames()) {
      if (f instanceof SfuToClient.Error) {
        reasons.add(((SfuToClient.Error) f).reason());
      }
    }
    assertThat(reasons).containsExactly(SfuErrorReason.SDP_INVALID, SfuErrorReason.STALE_ANSWER);
    assertThat(c.closedByServer()).isFalse();
  }

  @Test
  void receiveOnlyMemberGetsAnInactiveMicrophoneSection() throws Exception {
    SignalClient c = joined("listener", false);
    SfuToClient.Joined j = c.await(SfuToClient.Joined.class, T);
    assertThat(j.self().canSpeak()).isFalse();
    assertThat(c.await(SfuToClient.Offer.class, T).sdp()).contains("a=mid:0").contains("a=inactive")
        .doesNotContain("a=recvonly");
  }

  @Test
  void membersSeeJoinsLeavesAndMuteAndTheRoomIsFreedWhenEmpty() throws Exception {
    SignalClient a = joined("alice", true);
    SignalClient b = joined("bob", true);
    assertThat(b.await(SfuToClient.Joined.class, T).participants()).extracting(p -> p.userId()).containsExactly("alice");
    assertThat(a.await(SfuToClient.ParticipantJoined.class, T).participant().userId()).isEqualTo("bob");
    // bob can speak: alice's next offer has a sendonly section for him (after she answers the first one)
    b.send(new ClientToSfu.Mute(true));
    SfuToClient.MuteChanged m = a.await(SfuToClient.MuteChanged.class, T);
    assertThat(m.userId()).isEqualTo("bob");
    assertThat(m.muted()).isTrue();
    assertThat(sfu.server().rooms().hasRoom(room)).isTrue();

    b.send(new ClientToSfu.Leave());
    assertThat(b.await(SfuToClient.Left.class, T).reason()).isEqualTo("leave");
    await().atMost(T).until(b::closedByServer);
    assertThat(a.await(SfuToClient.ParticipantLeft.class, T).userId()).isEqualTo("bob");

    a.close();
    await().atMost(T).until(() -> !sfu.server().rooms().hasRoom(room));
  }

  @Test
  void fullRoomRefusesTheNextMember() throws Exception {
    joined("alice", true);
    joined("bob", true);
    SignalClient c = client();
    c.send(new ClientToSfu.Join(SfuFixture.token("carol", room, true), room, null));
    SfuToClient.Error e = refusal(c);
    assertThat(e.reason()).isEqualTo(SfuErrorReason.ROOM_FULL);
  }

  @Test
  void sameUserJoiningAgainReplacesTheOldConnection() throws Exception {
    SignalClient first = joined("alice", true);
    joined("alice", true);
    assertThat(first.await(SfuToClient.Left.class, T).reason()).isEqualTo("replaced");
  }

  @Test
  void adminKickNeedsTheSecretAndRemovesTheMemberAtOnce() throws Exception {
    SignalClient alice = joined("alice", true);
    SignalClient bob = joined("bob", true);
    HttpClient http = HttpClient.newHttpClient();
    String path = "/admin/rooms/" + room + "/kick";
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("{\"userId\":\"bob\"}");

    HttpResponse<String> noAuth = http.send(HttpRequest.newBuilder(sfu.httpUri(path)).POST(body).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(noAuth.statusCode()).isEqualTo(401);
    HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(sfu.httpUri(path))
        .header("Authorization", "Bearer " + SfuFixture.ADMIN_SECRET + "x").POST(body).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(bob.closedByServer()).isFalse();

    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(sfu.httpUri(path))
        .header("Authorization", "Bearer " + SfuFixture.ADMIN_SECRET).POST(body).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(bob.await(SfuToClient.Left.class, T).reason()).isEqualTo("kicked");
    await().atMost(T).until(bob::closedByServer);
    assertThat(alice.await(SfuToClient.ParticipantLeft.class, T).userId()).isEqualTo("bob");

    HttpResponse<String> again = http.send(HttpRequest.newBuilder(sfu.httpUri(path))
        .header("Authorization", "Bearer " + SfuFixture.ADMIN_SECRET).POST(body).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(404);
    HttpResponse<String> badBody = http.send(HttpRequest.newBuilder(sfu.httpUri(path))
        .header("Authorization", "Bearer " + SfuFixture.ADMIN_SECRET)
        .POST(HttpRequest.BodyPublishers.ofString("[1,2")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(badBody.statusCode()).isEqualTo(400);
    HttpResponse<String> stats = http.send(HttpRequest.newBuilder(sfu.httpUri("/admin/stats"))
        .header("Authorization", "Bearer " + SfuFixture.ADMIN_SECRET).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(stats.statusCode()).isEqualTo(200);
    assertThat(stats.body()).contains("\"participants\":", "\"forwardLatencyMicros\":");
    HttpResponse<String> statsNoAuth = http.send(HttpRequest.newBuilder(sfu.httpUri("/admin/stats")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(statsNoAuth.statusCode()).isEqualTo(401);
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(sfu.httpUri("/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
  }
}
