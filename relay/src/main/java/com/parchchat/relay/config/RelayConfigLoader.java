package com.parchchat.relay.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds a {@link RelayConfig} from the built-in defaults ({@code relay-defaults.yaml}), then an
 * optional YAML file, then overrides given as dotted keys (from command-line flags). Unknown keys
 * fail, naming the key.
 */
public final class RelayConfigLoader {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private RelayConfigLoader() {}

  /**
   * @param file YAML file or null
   * @param overrides dotted key → value (e.g. {@code limits.maxFrameBytes → 1024}); null values are ignored
   */
  public static RelayConfig load(Path file, Map<String, ?> overrides) {
    ObjectNode tree = defaults();
    if (file != null) {
      try {
        JsonNode user = YAML.readTree(file.toFile());
        if (user != null && !user.isMissingNode() && !user.isNull()) {
          if (!user.isObject()) {
            throw new IllegalArgumentException("config file " + file + " must hold a YAML mapping");
          }
          merge(tree, (ObjectNode) user, "");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
      }
    }
    for (Map.Entry<String, ?> e : overrides.entrySet()) {
      if (e.getValue() != null) {
        set(tree, e.getKey(), e.getValue());
      }
    }
    try {
      return YAML.treeToValue(tree, RelayConfig.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) cause;
      }
      throw new IllegalArgumentException("bad relay config: " + e.getOriginalMessage(), e);
    }
  }

  /** Reads one YAML file into a config (defaults for missing keys). */
  public static RelayConfig load(Path file) {
    return load(file, Map.of());
  }

  private static ObjectNode defaults() {
    try (InputStream in = RelayConfigLoader.class.getResourceAsStream("/relay-defaults.yaml")) {
      if (in == null) {
        throw new IllegalStateException("relay-defaults.yaml missing from the classpath");
      }
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void merge(ObjectNode target, ObjectNode source, String prefix) {
    for (Map.Entry<String, JsonNode> e : source.properties()) {
      String key = prefix + e.getKey();
      JsonNode existing = target.get(e.getKey());
      if (existing == null) {
        throw new IllegalArgumentException("unknown config key '" + key + "'");
      }
      if (existing.isObject() && e.getValue().isObject()) {
        merge((ObjectNode) existing, (ObjectNode) e.getValue(), key + ".");
      } else {
        target.set(e.getKey(), e.getValue());
      }
    }
  }

  private static void set(ObjectNode tree, String dottedKey, Object value) {
    String[] parts = dottedKey.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (!(child instanceof ObjectNode)) {
        throw new IllegalArgumentException("unknown config key '" + dottedKey + "'");
      }
      node = (ObjectNode) child;
    }
    String last = parts[parts.length - 1];
    if (!node.has(last)) {
      throw new IllegalArgumentException("unknown config key '" + dottedKey + "'");
    }
    node.set(last, YAML.valueToTree(value instanceof Path ? value.toString() : value));
  }
}
