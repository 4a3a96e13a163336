package com.parchchat.protocol;

import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.SignalCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/protocol.md} documents every registered frame type: under a heading that names the
 * frame's sealed interface, a deeper heading whose first code span is the type name, followed by a
 * {@code json} example that decodes to that type. Fails listing every gap, so a new frame type
 * cannot ship undocumented and an example cannot drift from the code.
 */
class ProtocolDocCoverageTest {

    private static final Path DOC = FrameRegistry.MODULE_DIR.resolve("../docs/protocol.md").normalize();
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*)$");
    private static final Pattern FIRST_CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final SignalCodec CODEC = SignalCodec.withDefaults();

    private static List<String> lines;
    private static List<Heading> headings;

    private record Heading(int level, String text, int line) {
    }

    @BeforeAll
    static void readDoc() throws IOException {
        assertThat(DOC).as("protocol spec").isRegularFile();
        lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        headings = new ArrayList<>();
        boolean inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                inFence = !inFence;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (!inFence && m.matches()) {
                headings.add(new Heading(m.group(1).length(), m.group(2).trim(), i));
            }
        }
    }

    @Test
    void everyRegisteredFrameTypeIsDocumentedWithAWorkingExample() {
        List<String> problems = new ArrayList<>();
        for (FrameRegistry.Frame frame : FrameRegistry.frames()) {
            String problem = check(frame);
            if (problem != null) {
                problems.add(frame + " (" + frame.type().getName() + "): " + problem);
            }
        }

        assertThat(problems)
                .as("frame types missing from %s; each needs a heading like \"#### `name`\" inside a section "
                        + "whose heading names the interface (e.g. \"### %s …\"), followed by a ```json example",
                        DOC, "ClientToRelay")
                .isEmpty();
    }

    @Test
    void keepsTheSectionsOtherComponentsFillIn() {
        assertThat(headings).extracting(Heading::text).contains("SFU signalling", "Relay HTTP API", "Versioning",
                "Error codes", "Limits");
    }

    private static String check(FrameRegistry.Frame frame) {
        Pattern family = Pattern.compile("\\b" + Pattern.quote(frame.family().getSimpleName()) + "\\b");
        boolean familyFound = false;
        for (int h = 0; h < headings.size(); h++) {
            Heading section = headings.get(h);
            if (!family.matcher(section.text()).find()) {
                continue;
            }
            familyFound = true;
            for (int k = h + 1; k < headings.size() && headings.get(k).level() > section.level(); k++) {
                Heading entry = headings.get(k);
                Matcher code = FIRST_CODE_SPAN.matcher(entry.text());
                if (code.find() && code.group(1).equals(frame.name())) {
                    int end = k + 1 < headings.size() ? headings.get(k + 1).line() : lines.size();
                    return checkExample(frame, entry.line() + 1, end);
                }
            }
        }
        return familyFound ? "no heading with `" + frame.name() + "` in the " + frame.family().getSimpleName()
                + " section" : "no section heading names " + frame.family().getSimpleName();
    }

    private static String checkExample(FrameRegistry.Frame frame, int from, int to) {
        int start = -1;
        for (int i = from; i < to; i++) {
            if (lines.get(i).trim().equals("```json")) {
                start = i + 1;
                break;
            }
        }
        if (start < 0) {
            return "no ```json example under its heading";
        }
        StringBuilder json = new StringBuilder();
        for (int i = start; i < to && !lines.get(i).startsWith("```"); i++) {
            json.append(lines.get(i)).append('\n');
        }
        try {
            Object decoded = CODEC.decode(json.toString(), frame.family());
            return frame.type().isInstance(decoded) ? null
                    : "example decodes to " + decoded.getClass().getSimpleName() + ", not " + frame.type().getSimpleName();
        } catch (ProtocolException e) {
            return "example does not decode: " + e.code().wire() + " " + e.getMessage();
        }
    }
}
