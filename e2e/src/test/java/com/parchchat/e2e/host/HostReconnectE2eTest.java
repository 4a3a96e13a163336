package com.parchchat.e2e.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.Message;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, point 1: the host reconnects to the relay by itself when the relay goes away and comes
 * back (same key, no re-registration), and serves users again.
 */
class HostReconnectE2eTest {
  @TempDir Path dir;

  @Test
  void hostComesBackAfterARelayRestart() throws Exception {
    try (ParchStack stack = HostE2eTest.stack(dir, "reconnectMinMillis: 100\nreconnectMaxMillis: 1000\n")) {
      String host = stack.hostKey();
      String channel;
      Message before;
      try (ChatClient alice = ChatClient.signUp(stack.relayUrl(), "alice")) {
        alice.attach(host);
        channel = alice.call(host, new HostRequest.SpaceCreate("Stay"), HostReply.SpaceSnapshotResult.class)
            .snapshot().channels().get(0).id();
        before = alice.call(host, new HostRequest.MessageSend(channel, "b1", "before the relay restart", null),
            HostReply.MessageResult.class).message();
      }
      stack.stopRelay();
      Awaitility.await("host notices").atMost(Duration.ofSeconds(60))
          .until(() -> stack.host().countMatches("lost the relay connection") >= 1);
      stack.startRelay();
      Awaitility.await("host reconnects").atMost(Duration.ofSeconds(60))
          .until(() -> stack.host().countMatches("online at relay") >= 2);
      assertThat(stack.host().countMatches("Registering")).as("registered once, at the first run").isEqualTo(1);

      try (ChatClient alice = ChatClient.login(stack.relayUrl(), "alice");
          ChatClient watcher = ChatClient.login(stack.relayUrl(), "alice")) {
        alice.attach(host);
        watcher.attach(host);
        List<Message> history = HostE2eTest.pageAll(alice, host, channel);
        assertThat(history).extracting(Message::id).containsExactly(before.id());
        Message after = alice.call(host, new HostRequest.MessageSend(channel, "a1", "after", null),
            HostReply.MessageResult.class).message();
        watcher.awaitEvent(HostEvent.MessageCreated.class, e -> e.message().id() == after.id());
      }
    }
  }
}
