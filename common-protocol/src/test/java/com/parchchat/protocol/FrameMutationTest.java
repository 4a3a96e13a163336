package com.parchchat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.SignalCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every registered frame type, with each of its fields removed or replaced by a value of another
 * JSON type, and with its type name or text truncated: decoding either succeeds or fails with a
 * {@code bad_request} {@link ProtocolException} — never another exception.
 */
class FrameMutationTest {

    private static final SignalCodec CODEC = SignalCodec.withDefaults();
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static List<FrameRegistry.Frame> frames() {
        return FrameRegistry.frames();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void mutatedFramesGiveOnlyTypedErrors(FrameRegistry.Frame frame) throws Exception {
        Path file = FrameRegistry.GOLDEN_DIR.resolve(frame.goldenFile());
        assertThat(file).as("golden file for %s (%s)", frame, frame.type().getName()).isRegularFile();
        String golden = Files.readString(file, StandardCharsets.UTF_8);
        ObjectNode original = (ObjectNode) PLAIN.readTree(golden);
        List<String> variants = new ArrayList<>();

        for (Iterator<String> names = original.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            ObjectNode removed = original.deepCopy();
            removed.remove(field);
            variants.add(removed.toString());
            for (JsonNode replacement : List.<JsonNode>of(NODES.nullNode(), NODES.numberNode(-1),
                    NODES.textNode(""), NODES.booleanNode(true), NODES.arrayNode().add(1), NODES.objectNode())) {
                ObjectNode changed = original.deepCopy();
                changed.set(field, replacement);
                variants.add(changed.toString());
            }
        }
        ObjectNode unknownType = original.deepCopy();
        unknownType.put("type", frame.name() + ".future");
        variants.add(unknownType.toString());
        for (int cut = 1; cut < golden.length(); cut += Math.max(1, golden.length() / 12)) {
            variants.add(golden.substring(0, cut));
        }

        for (String variant : variants) {
            try {
                CODEC.decode(variant, frame.family());
            } catch (ProtocolException e) {
                assertThat(e.code()).as(variant).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.getMessage()).as(variant).isNotBlank();
            } catch (RuntimeException e) {
                fail("untyped " + e + " for " + variant, e);
            }
        }
    }
}
