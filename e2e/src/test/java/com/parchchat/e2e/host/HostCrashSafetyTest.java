package com.parchchat.e2e.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.Message;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, point 9: SIGKILL the host process while a client sends 2,000 messages. After the
 * restart every acknowledged message is in the history exactly once; re-sending the
 * unacknowledged ones with their original nonces ends with all 2,000 exactly once.
 */
class HostCrashSafetyTest {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HostCrashSafetyTest.class);
  private static final int TOTAL = 2000;
  private static final int KILL_AFTER_ACKS = 400;
  private static final int WINDOW = 64;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedMessageSurvivesKillNineAndResendsDeduplicate() throws Exception {
    try (ParchStack stack = HostE2eTest.stack(dir, "messageBurst: 100000\nmessagesPerSecond: 100000\n")) {
      String host = stack.hostKey();
      try (ChatClient alice = ChatClient.signUp(stack.relayUrl(), "alice")) {
        alice.attach(host);
        String channel = alice.call(host, new HostRequest.SpaceCreate("Crash"), HostReply.SpaceSnapshotResult.class)
            .snapshot().channels().get(0).id();

        Map<String, Long> acked = new ConcurrentHashMap<>();
        AtomicInteger ackCount = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        CompletableFuture<Void> kill = new CompletableFuture<>();
        Semaphore window = new Semaphore(WINDOW);
        List<CompletableFuture<HostReply>> sends = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
          String nonce = "crash-" + i;
          window.acquire();
          CompletableFuture<HostReply> f = alice.request(host, new HostRequest.MessageSend(channel, nonce, "m " + i, null));
          f.orTimeout(30, TimeUnit.SECONDS).whenComplete((reply, err) -> {
            window.release();
            if (reply instanceof HostReply.MessageResult) {
              acked.put(nonce, ((HostReply.MessageResult) reply).message().id());
              if (ackCount.incrementAndGet() == KILL_AFTER_ACKS && killed.compareAndSet(false, true)) {
                new Thread(() -> {
                  try {
                    stack.killHost();
                    kill.complete(null);
                  } catch (RuntimeException e) {
                    kill.completeExceptionally(e);
                  }
                }, "killer").start();
              }
            }
          });
          sends.add(f);
        }
        log.info("all {} sends issued, {} acked", TOTAL, acked.size());
        kill.get(120, TimeUnit.SECONDS);
        log.info("host killed; {} acked", acked.size());
        // every send has an outcome: an ack from before the kill, or an error / timeout
        CompletableFuture.allOf(sends.stream().map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new))
            .get(120, TimeUnit.SECONDS);
        log.info("every send has an outcome; {} acked", acked.size());
        assertThat(acked.size()).isGreaterThanOrEqualTo(KILL_AFTER_ACKS).isLessThan(TOTAL);

        int statusesBefore = alice.statuses.size();
        stack.startHost();
        Awaitility.await("host back online").atMost(Duration.ofSeconds(90)).until(() ->
            alice.statuses.subList(statusesBefore, alice.statuses.size()).stream().anyMatch(s -> s.online()));

        log.info("host restarted");
        // every acknowledged message is there exactly once, under the id it was acknowledged with
        List<Message> afterCrash = history(alice, host, channel);
        Map<String, Long> countByNonce = afterCrash.stream()
            .collect(Collectors.groupingBy(Message::nonce, Collectors.counting()));
        Map<Long, Message> byId = afterCrash.stream().collect(Collectors.toMap(Message::id, Function.identity()));
        for (Map.Entry<String, Long> a : acked.entrySet()) {
          assertThat(countByNonce.get(a.getKey())).as(a.getKey()).isEqualTo(1L);
          assertThat(byId.get(a.getValue()).nonce()).isEqualTo(a.getKey());
        }

        // re-send what was not acknowledged, with the same nonces
        List<CompletableFuture<HostReply>> resends = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
          String nonce = "crash-" + i;
          if (!acked.containsKey(nonce)) {
            window.acquire();
            CompletableFuture<HostReply> f =
                alice.request(host, new HostRequest.MessageSend(channel, nonce, "m " + i, null));
            f.whenComplete((r, e) -> window.release());
            resends.add(f);
          }
        }
        for (CompletableFuture<HostReply> f : resends) {
          HostReply.expect(f.get(60, TimeUnit.SECONDS), HostReply.MessageResult.class);
        }

        log.info("{} re-sent", resends.size());
        List<Message> all = history(alice, host, channel);
        assertThat(all).hasSize(TOTAL);
        Map<String, Long> finalCounts = new HashMap<>();
        for (Message m : all) {
          finalCounts.merge(m.nonce(), 1L, Long::sum);
        }
        for (int i = 0; i < TOTAL; i++) {
          assertThat(finalCounts.get("crash-" + i)).as("crash-" + i).isEqualTo(1L);
        }
      }
    }
  }

  private static List<Message> history(ChatClient c, String host, String channel) throws Exception {
    List<Message> out = new ArrayList<>();
    long after = 0; // ids are positive: "after 0" pages from the oldest message
    while (true) {
      HostReply.MessagesResult page = c.call(host, new HostRequest.MessageHistory(channel, null, after, 100),
          HostReply.MessagesResult.class);
      out.addAll(page.messages());
      if (!page.hasMore() || page.messages().isEmpty()) {
        return out;
      }
      after = page.messages().get(page.messages().size() - 1).id();
    }
  }
}
