package com.parchchat.sfu.srtp;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Not a test: a CPU-time probe of the per-copy SRTP encryption the SFU does in a fan-out, ours
 * ({@link SrtpSession#protectRtp}) against jitsi-srtp's transform, with a room's working set
 * (every receiver's association, every speaker's SSRC: 50 × 24 by default) and a 20-byte header
 * (one-byte audio-level extension) + 80-byte Opus payload. Measured in thread CPU time, so it
 * means something on a shared machine. Rounds alternate, so both see the same conditions.
 *
 * <p>Run (after {@code ./mvnw -Dparch.target=target-sfu -pl sfu -am package}, which also compiles
 * the test classes): {@code java -cp sfu/target-sfu/test-classes:sfu/target-sfu/parch-sfu.jar
 * com.parchchat.sfu.srtp.SrtpSendCost [receivers] [speakers]}.
 */
public final class SrtpSendCost {
  private SrtpSendCost() {}

  public static void main(String[] args) throws Exception {
    int receivers = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int speakers = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (SrtpProfile profile : SrtpProfile.values()) {
      Random r = new Random(1);
      SrtpSession[] sessions = new SrtpSession[receivers];
      for (int i = 0; i < receivers; i++) {
        byte[] km = new byte[profile.keyingMaterialLength()];
        r.nextBytes(km);
        sessions[i] = new SrtpSession(profile, km, true);
      }
      byte[] payload = new byte[80];
      r.nextBytes(payload);
      byte[] buf = new byte[256];
      PacketBuffer pb = new PacketBuffer(buf, 0, 0);
      double[][] ns = new double[2][7];
      for (int round = 0; round < 7; round++) {
        for (int which = 0; which < 2; which++) {
          int packets = 400;
          long copies = 0;
          long t0 = mx.getCurrentThreadCpuTime();
          for (int p = 0; p < packets; p++) {
            int seq = round * packets + p;
            int ssrc = 0x1000 + (p % speakers);
            for (SrtpSession s : sessions) {
              buf[0] = (byte) 0x90;
              buf[1] = 111;
              buf[2] = (byte) (seq >>> 8);
              buf[3] = (byte) seq;
              buf[8] = (byte) (ssrc >>> 24);
              buf[9] = (byte) (ssrc >>> 16);
              buf[10] = (byte) (ssrc >>> 8);
              buf[11] = (byte) ssrc;
              buf[12] = (byte) 0xBE;
              buf[13] = (byte) 0xDE;
              buf[15] = 1;
              buf[16] = 0x10;
              System.arraycopy(payload, 0, buf, 20, payload.length);
              pb.reset(buf, 0, 20 + payload.length);
              if (which == 0) {
                s.protectRtpJitsi(pb, ssrc);
              } else {
                s.protectRtp(pb);
              }
              copies++;
            }
          }
          ns[which][round] = (double) (mx.getCurrentThreadCpuTime() - t0) / copies;
        }
      }
      // the first two rounds warm the JIT up
      double[] jitsi = Arrays.copyOfRange(ns[0], 2, 7);
      double[] ours = Arrays.copyOfRange(ns[1], 2, 7);
      Arrays.sort(jitsi);
      Arrays.sort(ours);
      System.out.printf(Locale.ROOT, "%s, %d receivers x %d speakers: CPU ns per copy, median (min-max) of 5 rounds:"
          + " jitsi-srtp %.0f (%.0f-%.0f), ours %.0f (%.0f-%.0f)%n", profile, receivers, speakers,
          jitsi[2], jitsi[0], jitsi[4], ours[2], ours[0], ours[4]);
      for (SrtpSession s : sessions) {
        s.close();
      }
    }
  }
}
