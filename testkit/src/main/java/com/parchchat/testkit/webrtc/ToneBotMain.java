package com.parchchat.testkit.webrtc;

import com.parchchat.testkit.process.ChildMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@link ToneBot} as its own JVM, for running inside a network namespace
 * ({@code NetNs.startJava("bot-a", ToneBotMain.class, args...)}). Signalling goes through files
 * (namespaces share the file system): the offerer writes its offer to {@code --sdp-out} and reads the
 * answer from {@code --sdp-in}; the answerer does the reverse.
 *
 * <pre>
 * --name N --tone HZ --role offer|answer --sdp-out FILE --sdp-in FILE
 * [--turn URL --user U --password P] [--relay-only] [--expect HZ,HZ] [--seconds 30]
 * </pre>
 *
 * Prints {@code STATUS connection=... heard=[...] packetsReceived=N pair=local/proto->remote} every
 * 500 ms, {@code HEARD <hz>} once per expected frequency first heard, and exits (code 0) after
 * {@code --seconds}, or with code 2 on an error. The TURN password is never printed.
 */
public final class ToneBotMain {

    private ToneBotMain() {
    }

    public static void main(String[] args) {
        ChildMain.exitAfter("ERROR", 2, () -> run(args));
    }

    private static void run(String[] args) throws Exception {
        String name = "bot";
        double tone = 440;
        String role = null;
        Path out = null;
        Path in = null;
        String turnUrl = null;
        String user = null;
        String password = null;
        boolean relayOnly = false;
        List<Double> expect = new ArrayList<>();
        int seconds = 30;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--name" -> name = args[++i];
                case "--tone" -> tone = Double.parseDouble(args[++i]);
                case "--role" -> role = args[++i];
                case "--sdp-out" -> out = Path.of(args[++i]);
                case "--sdp-in" -> in = Path.of(args[++i]);
                case "--turn" -> turnUrl = args[++i];
                case "--user" -> user = args[++i];
                case "--password" -> password = args[++i];
                case "--relay-only" -> relayOnly = true;
                case "--expect" -> {
                    for (String f : args[++i].split(",")) {
                        expect.add(Double.parseDouble(f));
                    }
                }
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (!"offer".equals(role) && !"answer".equals(role)) {
            throw new IllegalArgumentException("--role must be offer or answer");
        }
        if (out == null || in == null) {
            throw new IllegalArgumentException("--sdp-out and --sdp-in are required");
        }
        ToneBot.Builder b = ToneBot.builder(name).tone(tone).relayOnly(relayOnly);
        if (turnUrl != null) {
            b.turn(turnUrl, user, password);
        }
        double[] candidates = expect.stream().mapToDouble(Double::doubleValue).toArray();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        try (ToneBot bot = b.build()) {
            System.out.println("STARTED " + name);
            if (role.equals("offer")) {
                write(out, bot.createOffer());
                bot.applyAnswer(waitFor(in, deadline));
            } else {
                String offer = waitFor(in, deadline);
                write(out, bot.acceptOffer(offer));
            }
            System.out.println("SIGNALLED");
            Set<Double> reported = new java.util.HashSet<>();
            while (System.nanoTime() < deadline) {
                Thread.sleep(500);
                Set<Double> heard = bot.heardFrequencies(candidates);
                for (Double f : heard) {
                    if (reported.add(f)) {
                        System.out.println("HEARD " + f);
                    }
                }
                RtcStatsSummary s = bot.stats();
                String pair = s.selectedPair().map(p -> p.localType() + "/"
                        + (p.relayProtocol() == null ? p.localProtocol() : p.relayProtocol()) + "->" + p.remoteType())
                        .orElse("none");
                System.out.println("STATUS connection=" + bot.connectionState() + " heard=" + heard
                        + " packetsReceived=" + s.totalPacketsReceived() + " pair=" + pair);
                System.out.flush();
            }
        }
    }

    private static void write(Path file, String sdp) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sdp, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String waitFor(Path file, long deadline) throws IOException, InterruptedException {
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no SDP appeared at " + file);
            }
            Thread.sleep(20);
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
