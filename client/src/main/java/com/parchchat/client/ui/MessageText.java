package com.parchchat.client.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.scene.Node;
import javafx.scene.text.Text;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.Code;
import org.commonmark.node.Emphasis;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.ListItem;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.StrongEmphasis;
import org.commonmark.parser.Parser;

/**
 * Turns message content into styled {@link Text} runs for a {@code TextFlow}: basic markdown
 * (bold, italic, inline code, code blocks, links) through commonmark-java, plus bare URLs made
 * clickable and {@code @mentions} highlighted. Raw HTML is shown as text, never interpreted.
 * Only http(s) URLs become links, so a message cannot make the client open a {@code file:} URL.
 */
public final class MessageText {
  private static final Parser PARSER = Parser.builder().build();
  static final Pattern URL = Pattern.compile("https?://[^\\s<>\"'`]+[^\\s<>\"'`.,;:!?)\\]]");
  private static final Pattern MENTION = Pattern.compile("(?<![\\w@])@([A-Za-z0-9_.\\-]{1,32})");
  private static final Pattern IMAGE_PATH = Pattern.compile("(?i).*\\.(png|jpe?g|gif|bmp)(\\?.*)?$");

  /** Result of rendering: the text runs and the http(s) image URLs worth previewing. */
  public record Rendered(List<Node> nodes, List<String> imageUrls) {}

  private MessageText() {}

  public static Rendered render(String content, String selfUsername, Consumer<String> openUrl) {
    Builder b = new Builder(selfUsername, openUrl);
    org.commonmark.node.Node doc = PARSER.parse(content == null ? "" : content);
    doc.accept(b);
    b.trimTrailingNewline();
    return new Rendered(b.nodes, b.images);
  }

  /** True if the content mentions {@code username} (case-insensitive) or {@code @everyone}. */
  public static boolean mentions(String content, String username) {
    if (content == null || username == null) {
      return false;
    }
    Matcher m = MENTION.matcher(content);
    while (m.find()) {
      String who = m.group(1);
      if (who.equalsIgnoreCase(username) || who.equalsIgnoreCase("everyone")) {
        return true;
      }
    }
    return false;
  }

  public static boolean isSafeLink(String url) {
    if (url == null) {
      return false;
    }
    String u = url.toLowerCase(Locale.ROOT);
    return (u.startsWith("http://") || u.startsWith("https://")) && url.length() <= 2048;
  }

  static boolean looksLikeImage(String url) {
    return isSafeLink(url) && IMAGE_PATH.matcher(url).matches();
  }

  private static final class Builder extends AbstractVisitor {
    final List<Node> nodes = new ArrayList<>();
    final List<String> images = new ArrayList<>();
    final String self;
    final Consumer<String> openUrl;
    final List<String> style = new ArrayList<>();
    String linkTarget;

    Builder(String self, Consumer<String> openUrl) {
      this.self = self;
      this.openUrl = openUrl;
    }

    @Override
    public void visit(org.commonmark.node.Text text) {
      emitWithAutolinks(text.getLiteral());
    }

    @Override
    public void visit(Emphasis e) {
      styled("md-italic", () -> visitChildren(e));
    }

    @Override
    public void visit(StrongEmphasis e) {
      styled("md-bold", () -> visitChildren(e));
    }

    @Override
    public void visit(Code code) {
      styled("md-code", () -> add(code.getLiteral(), null));
    }

    @Override
    public void visit(FencedCodeBlock block) {
      codeBlock(block.getLiteral());
    }

    @Override
    public void visit(IndentedCodeBlock block) {
      codeBlock(block.getLiteral());
    }

    @Override
    public void visit(HtmlInline html) {
      add(html.getLiteral(), null);
    }

    @Override
    public void visit(HtmlBlock html) {
      add(html.getLiteral(), null);
      newline();
    }

    @Override
    public void visit(Link link) {
      String target = link.getDestination();
      if (isSafeLink(target)) {
        String saved = linkTarget;
        linkTarget = target;
        visitChildren(link);
        linkTarget = saved;
      } else {
        visitChildren(link);
      }
    }

    @Override
    public void visit(SoftLineBreak b) {
      newline();
    }

    @Override
    public void visit(HardLineBreak b) {
      newline();
    }

    @Override
    public void visit(Paragraph p) {
      visitChildren(p);
      newline();
    }

    @Override
    public void visit(Heading h) {
      styled("md-bold", () -> visitChildren(h));
      newline();
    }

    @Override
    public void visit(BlockQuote q) {
      add("\u258e ", null);
      visitChildren(q);
    }

    @Override
    public void visit(ListItem item) {
      add("\u2022 ", null);
      visitChildren(item);
    }

    private void codeBlock(String literal) {
      styled("md-code", () -> add(literal.endsWith("\n") ? literal : literal + "\n", null));
    }

    private void styled(String cls, Runnable body) {
      style.add(cls);
      body.run();
      style.remove(style.size() - 1);
    }

    private void newline() {
      add("\n", null);
    }

    void trimTrailingNewline() {
      while (!nodes.isEmpty()
          && nodes.get(nodes.size() - 1) instanceof Text
          && ((Text) nodes.get(nodes.size() - 1)).getText().equals("\n")) {
        nodes.remove(nodes.size() - 1);
      }
    }

    private void emitWithAutolinks(String s) {
      if (linkTarget != null) {
        add(s, linkTarget);
        return;
      }
      Matcher m = URL.matcher(s);
      int at = 0;
      while (m.find()) {
        emitWithMentions(s.substring(at, m.start()));
        add(m.group(), m.group());
        at = m.end();
      }
      emitWithMentions(s.substring(at));
    }

    private void emitWithMentions(String s) {
      Matcher m = MENTION.matcher(s);
      int at = 0;
      while (m.find()) {
        add(s.substring(at, m.start()), null);
        boolean me = self != null
            && (m.group(1).equalsIgnoreCase(self) || m.group(1).equalsIgnoreCase("everyone"));
        styled(me ? "md-mention-self" : "md-mention", () -> add(m.group(), null));
        at = m.end();
      }
      add(s.substring(at), null);
    }

    private void add(String s, String link) {
      if (s.isEmpty()) {
        return;
      }
      Text t = new Text(s);
      t.getStyleClass().add("md-text");
      t.getStyleClass().addAll(style);
      if (link != null) {
        t.getStyleClass().add("md-link");
        if (looksLikeImage(link) && !images.contains(link)) {
          images.add(link);
        }
        if (openUrl != null) {
          t.setOnMouseClicked(e -> openUrl.accept(link));
        }
      }
      nodes.add(t);
    }
  }
}
