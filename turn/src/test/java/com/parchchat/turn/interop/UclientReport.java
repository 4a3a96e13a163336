package com.parchchat.turn.interop;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The totals that coturn's {@code turnutils_uclient} prints at the end of a run. */
record UclientReport(long sent, long received, long lost, double averageRttMs) {
  private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)\\s*$",
      Pattern.MULTILINE);
  private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
  private static final Pattern RTT = Pattern.compile("Average round trip delay ([0-9.]+) ms");

  static UclientReport parse(String output) {
    Matcher t = TOTALS.matcher(output);
    long sent = -1;
    long received = -1;
    while (t.find()) {
      sent = Long.parseLong(t.group(1));
      received = Long.parseLong(t.group(2));
    }
    Matcher l = LOST.matcher(output);
    Matcher r = RTT.matcher(output);
    if (sent < 0 || !l.find() || !r.find()) {
      throw new IllegalStateException("no totals in turnutils_uclient output:\n" + output);
    }
    return new UclientReport(sent, received, Long.parseLong(l.group(1)), Double.parseDouble(r.group(1)));
  }
}
