package com.parchchat.host.message;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A search query as plain words, and the same matching in Java for the few newest messages the
 * full-text index has not reached yet (see {@link SearchIndexer}).
 *
 * <p>Each whitespace-separated word is one phrase (all required); a trailing {@code *} makes its
 * last token a prefix. Tokens follow FTS5's {@code unicode61 remove_diacritics 2} tokenizer as
 * the index is configured (V1): letters, digits and private-use characters form tokens,
 * everything else separates them; case and diacritics are folded. A word with no token is
 * dropped from both the FTS5 query and the Java match, so the two always agree on the phrases.
 */
final class SearchText {
  /** One phrase: consecutive tokens, the last one a prefix when {@code prefix}. */
  record Phrase(List<String> tokens, boolean prefix) {}

  private final List<Phrase> phrases;

  private SearchText(List<Phrase> phrases) {
    this.phrases = phrases;
  }

  static SearchText parse(String query) {
    List<Phrase> out = new ArrayList<>();
    for (String word : query.trim().split("\\s+")) {
      boolean prefix = word.endsWith("*") && word.length() > 1;
      String term = prefix ? word.substring(0, word.length() - 1) : word;
      List<String> tokens = tokens(term);
      if (!tokens.isEmpty()) {
        out.add(new Phrase(tokens, prefix));
      }
    }
    return new SearchText(out);
  }

  boolean isEmpty() {
    return phrases.isEmpty();
  }

  /** The FTS5 MATCH expression: every phrase quoted (tokens joined by spaces), all required. */
  String ftsQuery() {
    StringBuilder sb = new StringBuilder();
    for (Phrase p : phrases) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append('"').append(String.join(" ", p.tokens())).append('"');
      if (p.prefix()) {
        sb.append('*');
      }
    }
    return sb.toString();
  }

  /** Whether {@code content} contains every phrase (the FTS5 match, done in Java). */
  boolean matches(String content) {
    if (phrases.isEmpty()) {
      return false;
    }
    if (isAscii(content)) {
      // cheap necessary condition: an ASCII text folds to its lower case, so every token of a
      // matching phrase is a substring of it
      String lower = content.toLowerCase(Locale.ROOT);
      for (Phrase p : phrases) {
        if (!lower.contains(p.tokens().get(0))) {
          return false;
        }
      }
    }
    List<String> tokens = tokens(content);
    for (Phrase p : phrases) {
      if (!contains(tokens, p)) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(List<String> tokens, Phrase p) {
    List<String> want = p.tokens();
    int n = want.size();
    for (int start = 0; start + n <= tokens.size(); start++) {
      boolean ok = true;
      for (int k = 0; k < n && ok; k++) {
        String have = tokens.get(start + k);
        String w = want.get(k);
        ok = (p.prefix() && k == n - 1) ? have.startsWith(w) : have.equals(w);
      }
      if (ok) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Tokens of {@code text} as unicode61 with remove_diacritics 2 produces them. */
  static List<String> tokens(String text) {
    if (isAscii(text)) {
      return asciiTokens(text);
    }
    String folded = Normalizer.normalize(text, Normalizer.Form.NFD);
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < folded.length(); ) {
      int cp = folded.codePointAt(i);
      i += Character.charCount(cp);
      int type = Character.getType(cp);
      if (type == Character.NON_SPACING_MARK) {
        continue; // diacritic removed, the token goes on
      }
      if (isTokenChar(cp, type)) {
        cur.appendCodePoint(cp);
      } else if (cur.length() > 0) {
        out.add(cur.toString().toLowerCase(Locale.ROOT));
        cur.setLength(0);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /** The same for pure ASCII text: letters and digits form tokens, lower-cased. */
  private static List<String> asciiTokens(String text) {
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ' ';
      boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (token && start < 0) {
        start = i;
      } else if (!token && start >= 0) {
        out.add(text.substring(start, i).toLowerCase(Locale.ROOT));
        start = -1;
      }
    }
    return out;
  }

  private static boolean isTokenChar(int cp, int type) {
    switch (type) {
      case Character.UPPERCASE_LETTER:
      case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
      case Character.PRIVATE_USE:
        return true;
      default:
        return false;
    }
  }
}
