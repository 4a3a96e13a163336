package com.parchchat.client.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;

/** Markdown, links and mentions become styled text runs; nothing dangerous becomes a link. */
class MessageTextTest {

  static List<String> runs(MessageText.Rendered r, String cls) {
    List<String> out = new ArrayList<>();
    for (Node n : r.nodes()) {
      if (n.getStyleClass().contains(cls)) {
        out.add(((Text) n).getText());
      }
    }
    return out;
  }

  static String plain(MessageText.Rendered r) {
    StringBuilder sb = new StringBuilder();
    r.nodes().forEach(n -> sb.append(((Text) n).getText()));
    return sb.toString();
  }

  @Test
  void basicMarkdown() {
    MessageText.Rendered r = MessageText.render("**bold** and *it* and `x = 1`", null, null);
    assertThat(runs(r, "md-bold")).containsExactly("bold");
    assertThat(runs(r, "md-italic")).containsExactly("it");
    assertThat(runs(r, "md-code")).containsExactly("x = 1");
    assertThat(plain(r)).isEqualTo("bold and it and x = 1");
  }

  @Test
  void urlsBecomeLinksAndImagesArePreviewCandidates() {
    List<String> opened = new ArrayList<>();
    MessageText.Rendered r = MessageText.render(
        "see https://example.org/a?b=1. and [pic](https://cdn.example.org/cat.png) or javascript:alert(1)",
        null, opened::add);
    assertThat(runs(r, "md-link")).containsExactly("https://example.org/a?b=1", "pic");
    assertThat(r.imageUrls()).containsExactly("https://cdn.example.org/cat.png");
    assertThat(plain(r)).contains("javascript:alert(1)");
  }

  @Test
  void unsafeLinkTargetsStayText() {
    MessageText.Rendered r = MessageText.render("[click](file:///etc/passwd) <b>raw</b>", null, null);
    assertThat(runs(r, "md-link")).isEmpty();
    assertThat(plain(r)).contains("click").contains("<b>");
  }

  @Test
  void mentionsAreHighlightedAndDetected() {
    MessageText.Rendered r = MessageText.render("hi @ann and @bob, mail a@b.c", "ann", null);
    assertThat(runs(r, "md-mention-self")).containsExactly("@ann");
    assertThat(runs(r, "md-mention")).containsExactly("@bob");
    assertThat(MessageText.mentions("hey @Ann!", "ann")).isTrue();
    assertThat(MessageText.mentions("mail ann@x.org", "ann")).isFalse();
    assertThat(MessageText.mentions("@everyone look", "ann")).isTrue();
  }

  @Test
  void aMessageIsParsedOnceAndRenderedIntoFreshNodes() {
    String content = "cached **once** https://example.org/x.png @ann";
    MessageText.Parsed first = MessageText.parse(content, "ann");
    assertThat(MessageText.parse(content, "ann")).isSameAs(first);
    assertThat(MessageText.parse(content, "bob")).as("mentions depend on who reads").isNotSameAs(first);
    assertThat(first.runs()).extracting(MessageText.Run::text)
        .containsExactly("cached ", "once", " ", "https://example.org/x.png", " ", "@ann");
    assertThat(first.runs().get(1).styleClasses()).containsExactly("md-text", "md-bold");
    assertThat(first.runs().get(3).link()).isEqualTo("https://example.org/x.png");
    assertThat(first.imageUrls()).containsExactly("https://example.org/x.png");
    MessageText.Rendered a = MessageText.render(content, "ann", null);
    MessageText.Rendered b = MessageText.render(content, "ann", null);
    assertThat(a.nodes()).hasSize(6);
    assertThat(a.nodes().get(0)).isNotSameAs(b.nodes().get(0));
    assertThat(runs(a, "md-mention-self")).containsExactly("@ann");
  }

  @Test
  void multipleParagraphsKeepLineBreaks() {
    MessageText.Rendered r = MessageText.render("line one\nline two", null, null);
    assertThat(plain(r)).isEqualTo("line one\nline two");
  }
}
