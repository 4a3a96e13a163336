package com.parchchat.client.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Search results highlight the words the host matched and stay one short line. */
class SearchSnippetTest {

  @Test
  void highlightsEveryQueryWordAtWordStartsCaseInsensitively() {
    SearchSnippet s = SearchSnippet.of("The Deploy plan: redeploy after deploying", "deploy*  PLAN");
    assertThat(s.plain()).isEqualTo("The Deploy plan: redeploy after deploying");
    assertThat(s.parts()).extracting(SearchSnippet.Part::text, SearchSnippet.Part::hit).containsExactly(
        org.assertj.core.groups.Tuple.tuple("The ", false),
        org.assertj.core.groups.Tuple.tuple("Deploy", true),
        org.assertj.core.groups.Tuple.tuple(" ", false),
        org.assertj.core.groups.Tuple.tuple("plan", true),
        org.assertj.core.groups.Tuple.tuple(": redeploy after ", false),
        org.assertj.core.groups.Tuple.tuple("deploy", true),
        org.assertj.core.groups.Tuple.tuple("ing", false));
  }

  @Test
  void longMessagesAreCutAroundTheFirstHitOnOneLine() {
    String text = "word ".repeat(100) + "needle\nin the\nhaystack " + "tail ".repeat(100);
    SearchSnippet s = SearchSnippet.of(text, "needle");
    assertThat(s.plain()).startsWith("\u2026").endsWith("\u2026").doesNotContain("\n").contains("needle in the haystack");
    assertThat(s.plain().length()).isLessThanOrEqualTo(SearchSnippet.WIDTH + 2);
    assertThat(s.parts()).filteredOn(SearchSnippet.Part::hit).extracting(SearchSnippet.Part::text).containsExactly("needle");
  }

  @Test
  void quotesAndStarsAreNotPartOfTheWords() {
    assertThat(SearchSnippet.terms(" \"Release\"  notes** ")).containsExactly("release", "notes");
    assertThat(SearchSnippet.of("nothing here", "absent").parts()).noneMatch(SearchSnippet.Part::hit);
  }
}
