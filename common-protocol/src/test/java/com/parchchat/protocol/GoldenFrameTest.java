package com.parchchat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.signal.SignalCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Round trip of every registered frame type against {@code src/test/resources/golden/<pkg>/<Interface>/<type>.json}:
 * the golden JSON decodes to the registered record, and encoding that record gives the same JSON
 * back (field order aside). A registered type without a golden file fails, and so does a golden
 * file without a registered type.
 */
class GoldenFrameTest {

    private static final SignalCodec CODEC = SignalCodec.withDefaults();
    private static final ObjectMapper PLAIN = new ObjectMapper();

    static List<FrameRegistry.Frame> frames() {
        return FrameRegistry.frames();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void roundTripsTheGoldenFile(FrameRegistry.Frame frame) throws Exception {
        String golden = read(frame);

        Object decoded = CODEC.decode(golden, frame.family());

        assertThat(decoded).isExactlyInstanceOf(frame.type());
        String encoded = CODEC.encode(decoded);
        assertThat(PLAIN.readTree(encoded)).as("re-encoded %s", frame).isEqualTo(PLAIN.readTree(golden));
        assertThat(CODEC.decode(encoded, frame.family())).isEqualTo(decoded);
    }

    @Test
    void everyGoldenFileBelongsToARegisteredType() throws IOException {
        Set<String> expected = frames().stream().map(FrameRegistry.Frame::goldenFile)
                .collect(Collectors.toCollection(TreeSet::new));
        Path base = FrameRegistry.GOLDEN_DIR;
        assertThat(base).as("golden directory").isDirectory();
        Set<String> present;
        try (Stream<Path> files = Files.walk(base)) {
            present = files.filter(p -> p.toString().endsWith(".json"))
                    .map(p -> base.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        assertThat(present).as("golden files without a registered frame type").isSubsetOf(expected);
    }

    private static String read(FrameRegistry.Frame frame) throws IOException {
        Path file = FrameRegistry.GOLDEN_DIR.resolve(frame.goldenFile());
        assertThat(file).as("golden file for %s (%s)", frame, frame.type().getName()).isRegularFile();
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
