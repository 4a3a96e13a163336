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
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every registered frame type, with each of its fields removed or replaced by a value of another
 * JSON type, with its type name changed or its text truncated, and with random byte damage:
 * decoding either succeeds or fails with a typed {@link ProtocolException} — never another exception.
 */
class FrameMutationTest {

    private static final SignalCodec CODEC = SignalCodec.withDefaults();
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String JSON_CHARS = "{}[]\",:\\0e-";

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
            assertOnlyTypedErrors(frame, variant);
        }
    }

    /**
     * Seeded random byte damage (flip, insert, delete, truncate) to each golden frame, decoded from
     * bytes so invalid UTF-8 is exercised too. The seed is in the assertion message for replay.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void randomlyDamagedBytesGiveOnlyTypedErrors(FrameRegistry.Frame frame) throws Exception {
        Path file = FrameRegistry.GOLDEN_DIR.resolve(frame.goldenFile());
        assertThat(file).as("golden file for %s", frame).isRegularFile();
        byte[] golden = Files.readAllBytes(file);
        long seed = frame.toString().hashCode();
        Random random = new Random(seed);
        for (int round = 0; round < 300; round++) {
            byte[] damaged = damage(golden, random);
            try {
                CODEC.decode(damaged, frame.family());
            } catch (ProtocolException e) {
                assertThat(e.code()).as("seed %d round %d", seed, round).isIn(ErrorCode.BAD_REQUEST, ErrorCode.TOO_LARGE);
            } catch (RuntimeException e) {
                fail("untyped " + e + " for seed " + seed + " round " + round, e);
            }
        }
    }

    private static byte[] damage(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits && bytes.length > 0; i++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(4)) {
                case 0:
                    bytes[at] = (byte) random.nextInt(256);
                    break;
                case 1:
                    byte[] inserted = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, inserted, 0, at);
                    inserted[at] = (byte) JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length()));
                    System.arraycopy(bytes, at, inserted, at + 1, bytes.length - at);
                    bytes = inserted;
                    break;
                case 2:
                    byte[] removed = new byte[bytes.length - 1];
                    System.arraycopy(bytes, 0, removed, 0, at);
                    System.arraycopy(bytes, at + 1, removed, at, bytes.length - at - 1);
                    bytes = removed;
                    break;
                default:
                    bytes = Arrays.copyOf(bytes, at);
                    break;
            }
        }
        return bytes;
    }

    private static void assertOnlyTypedErrors(FrameRegistry.Frame frame, String variant) {
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
