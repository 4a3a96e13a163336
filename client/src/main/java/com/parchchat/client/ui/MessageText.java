package com.parchchat.client.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** How many parsed messages {@link #parse} keeps (a few screens of scrolling back and forth). */
  static final int CACHE_SIZE = 2048;

  /** Result of rendering: the text runs and the http(s) image URLs worth previewing. */
  public record Rendered(List<Node> nodes, List<String> imageUrls) {}

  /** One styled run of a message: its text, its style classes ({@code md-text} first), its link or null. */
  public record Run(String text, List<String> styleClasses, String link) {}

  /** A message parsed once: its runs and the image URLs worth previewing. */
  public record Parsed(List<Run> runs, List<String> imageUrls) {}

  /**
   * Parsed messages by content and own username, least recently used dropped first: a message
   * list re-renders the same lines over and over while scrolling, parsing each once is enough.
   */
  private static final Map<String, Parsed> CACHE = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Parsed> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  private MessageText() {}

  public static Rendered render(String content, String selfUsername, Consumer<String> openUrl) {
    Parsed p = parse(content, selfUsername);
    List<Node> nodes = new ArrayList<>(p.runs().size());
    for (Run r : p.runs()) {
      Text t = new Text(r.text());
      t.getStyleClass().setAll(r.styleClasses());
      if (r.link() != null && openUrl != null) {
        t.setOnMouseClicked(e -> openUrl.accept(r.link()));
      }
      nodes.add(t);
    }
    return new Rendered(nodes, p.imageUrls());
  }

  /** The markdown of {@code content} as styled runs (cached; mentions of {@code selfUsername} marked). */
  public static Parsed parse(String content, String selfUsername) {
    String text = content == null ? "" : content;
    String key = (selfUsername == null ? "" : selfUsername) + '\u0000' + text;
    synchronized (CACHE) {
      Parsed hit = CACHE.get(key);
      if (hit != null) {
        return hit;
      }
    }
    Builder b = new Builder(selfUsername);
    PARSER.parse(text).accept(b);
    b.trimTrailingNewline();
    Parsed p = new Parsed(List.copyOf(b.runs), List.copyOf(b.images));
    synchronized (CACHE) {
      CACHE.put(key, p);
    }
    return p;
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
    final List<Run> runs = new ArrayList<>();
    final List<String> images = new ArrayList<>();
    final String self;
    final List<String> style = new ArrayList<>();
    String linkTarget;

    Builder(String self) {
      this.self = self;
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
      while (!runs.isEmpty() && runs.get(runs.size() - 1).text().equals("\n")) {
        runs.remove(runs.size() - 1);
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
      List<String> classes = new ArrayList<>(style.size() + 2);
      classes.add("md-text");
      classes.addAll(style);
      if (link != null) {
        classes.add("md-link");
        if (looksLikeImage(link) && !images.contains(link)) {
          images.add(link);
        }
      }
      runs.add(new Run(s, List.copyOf(classes), link));
    }
  }
}
