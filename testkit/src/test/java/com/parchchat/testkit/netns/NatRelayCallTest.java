package com.parchchat.testkit.netns;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.testkit.process.ServiceProcess;
import com.parchchat.testkit.turn.Coturn;
import com.parchchat.testkit.turn.TurnCredentials;
import com.parchchat.testkit.webrtc.ToneBotMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recipe the TURN and e2e tests follow: coturn in the public namespace, one libwebrtc bot JVM
 * behind each strict NAT, relay-only ICE, SDP exchanged through files.
 */
class NatRelayCallTest {

    @Test
    void botsBehindTwoNatsTalkThroughTurnInThePublicNamespace(@TempDir Path dir) throws IOException {
        try (NatTopology topo = NatTopology.create();
             Coturn coturn = Coturn.startIn(topo.publicHost(), topo.publicAddress(), "nat-secret", "parch.test")) {
            TurnCredentials ca = coturn.credentials("a");
            TurnCredentials cb = coturn.credentials("b");
            Path offer = dir.resolve("offer.sdp");
            Path answer = dir.resolve("answer.sdp");
            try (ServiceProcess a = topo.siteA().host().startJava("bot-a", ToneBotMain.class, "--name", "a",
                    "--tone", "440", "--role", "offer", "--sdp-out", offer.toString(), "--sdp-in", answer.toString(),
                    "--turn", coturn.url("udp"), "--user", ca.username(), "--password", ca.password(),
                    "--relay-only", "--expect", "440,660", "--seconds", "40");
                 ServiceProcess b = topo.siteB().host().startJava("bot-b", ToneBotMain.class, "--name", "b",
                         "--tone", "660", "--role", "answer", "--sdp-out", answer.toString(), "--sdp-in",
                         offer.toString(), "--turn", coturn.url("udp"), "--user", cb.username(), "--password",
                         cb.password(), "--relay-only", "--expect", "440,660", "--seconds", "40")) {
                a.awaitOutput("HEARD 660.0", Duration.ofSeconds(40));
                b.awaitOutput("HEARD 440.0", Duration.ofSeconds(40));
                a.awaitLine(Pattern.compile("pair=relay/udp->relay"), Duration.ofSeconds(10));

                assertThat(a.output()).doesNotContain("HEARD 440.0").doesNotContain(ca.password());
                assertThat(b.output()).doesNotContain("HEARD 660.0");
                // the offer carries only the relay candidate on the public side, no LAN address
                assertThat(Files.readString(offer)).contains("typ relay").contains(topo.publicAddress())
                        .doesNotContain("typ host");
            }
        }
    }
}
