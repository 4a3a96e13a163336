package com.parchchat.protocol.signal;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Field checks used by the compact constructors of protocol records.
 *
 * <p>Records reject a missing required field at construction, so a decoded frame is always
 * complete; {@link SignalCodec} turns the resulting {@link IllegalArgumentException} into a
 * {@code bad_request} {@link ProtocolException} whose message names the field.
 */
public final class Require {

    private static final int CLIP = 64;

    private Require() {
    }

    /** Returns {@code value}, or throws "missing field" when it is null. */
    public static <T> T present(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    /** A required JSON object (the opaque {@code body} of a frame): present and a JSON object. */
    public static JsonNode object(JsonNode value, String field) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException("field '" + field + "' must be a JSON object");
        }
        return value;
    }

    /** A required list: present, without null elements; returned as an unmodifiable copy. */
    public static <T> List<T> list(List<T> value, String field) {
        return copy(present(value, field), field);
    }

    /** An optional list: null becomes the empty list; null elements are rejected. */
    public static <T> List<T> listOrEmpty(List<T> value, String field) {
        return value == null ? List.of() : copy(value, field);
    }

    /** A required list with at least one element. */
    public static <T> List<T> nonEmptyList(List<T> value, String field) {
        List<T> list = list(value, field);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("field '" + field + "' must not be empty");
        }
        return list;
    }

    /** A required non-negative number. */
    public static long nonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException("field '" + field + "' must not be negative");
        }
        return value;
    }

    /** An optional positive number: null stays null. */
    public static Integer positiveOrNull(Integer value, String field) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException("field '" + field + "' must be positive");
        }
        return value;
    }

    /** Shortens peer-supplied text before it goes into an error message. */
    static String clip(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= CLIP ? text : text.substring(0, CLIP) + "…";
    }

    private static <T> List<T> copy(List<T> value, String field) {
        List<T> copy = new ArrayList<>(value.size());
        for (T element : value) {
            if (element == null) {
                throw new IllegalArgumentException("field '" + field + "' must not contain null");
            }
            copy.add(element);
        }
        return Collections.unmodifiableList(copy);
    }
}
