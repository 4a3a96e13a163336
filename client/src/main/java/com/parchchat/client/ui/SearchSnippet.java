package com.parchchat.client.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The excerpt of a search hit shown in the results list: about {@link #WIDTH} characters of the
 * message around the first matched word, on one line, cut into plain and highlighted parts. A word
 * matches where the host's search would (the host takes the query as plain words, a trailing
 * {@code *} as a prefix): case-insensitively at the start of a word.
 */
record SearchSnippet(List<Part> parts) {
  static final int WIDTH = 140;
  private static final int BEFORE = 40;

  /** A run of text, highlighted when it is a matched word. */
  record Part(String text, boolean hit) {}

  SearchSnippet {
    parts = List.copyOf(parts);
  }

  String plain() {
    StringBuilder b = new StringBuilder();
    parts.forEach(p -> b.append(p.text()));
    return b.toString();
  }

  /** The words of a query as the host reads them: split on spaces, quotes and a trailing * dropped. */
  static List<String> terms(String query) {
    List<String> out = new ArrayList<>();
    for (String w : query.strip().split("\\s+")) {
      String t = w.replace("\"", "");
      while (t.endsWith("*")) {
        t = t.substring(0, t.length() - 1);
      }
      if (!t.isEmpty()) {
        out.add(t.toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  static SearchSnippet of(String content, String query) {
    String text = content.replaceAll("\\s+", " ").strip();
    List<String> terms = terms(query);
    String lower = text.toLowerCase(Locale.ROOT);
    boolean[] hit = new boolean[text.length()];
    int first = -1;
    for (String t : terms) {
      int from = 0;
      while (true) {
        int at = lower.indexOf(t, from);
        if (at < 0) {
          break;
        }
        if (at == 0 || !Character.isLetterOrDigit(lower.charAt(at - 1))) {
          for (int i = at; i < at + t.length() && i < hit.length; i++) {
            hit[i] = true;
          }
          first = first < 0 ? at : Math.min(first, at);
        }
        from = at + 1;
      }
    }
    int start = first <= BEFORE ? 0 : first - BEFORE;
    if (start > 0) {
      int space = text.indexOf(' ', start);
      start = space >= 0 && space < first ? space + 1 : start;
    }
    int end = Math.min(text.length(), start + WIDTH);
    List<Part> parts = new ArrayList<>();
    if (start > 0) {
      parts.add(new Part("\u2026", false));
    }
    int i = start;
    while (i < end) {
      int j = i;
      while (j < end && hit[j] == hit[i]) {
        j++;
      }
      parts.add(new Part(text.substring(i, j), hit[i]));
      i = j;
    }
    if (end < text.length()) {
      parts.add(new Part("\u2026", false));
    }
    return new SearchSnippet(parts);
  }
}
