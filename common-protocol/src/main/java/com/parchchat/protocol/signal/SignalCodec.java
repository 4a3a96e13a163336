package com.parchchat.protocol.signal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.Objects;

/**
 * Decodes and encodes signalling frames (layer 1) and host-API bodies (layer 2).
 *
 * <p>Decoding is defensive: the size limit is checked before any parsing, the root must be a
 * single JSON object, and every failure — oversize, malformed JSON, missing or unknown
 * {@code type}, missing or invalid field — becomes a {@link ProtocolException} with
 * {@link ErrorCode#TOO_LARGE} or {@link ErrorCode#BAD_REQUEST} and a short human message, never
 * a Jackson exception. Unknown properties are ignored so that older peers accept frames from
 * newer ones (see "Versioning" in {@code docs/protocol.md}).
 *
 * <p>Size limits by direction: frames a client writes ({@link ClientToRelay} and any other type
 * not listed here, e.g. SFU signalling) are bounded by {@link Limits#maxFrameBytes()};
 * {@link RelayToHost} and {@link HostToRelay} by {@link Limits#maxHostFrameBytes()};
 * {@link RelayToClient} by {@code maxHostFrameBytes + }{@link #ENVELOPE_SLACK_BYTES}, because the
 * relay re-wraps a host body of up to {@code maxHostFrameBytes} in its own envelope.
 *
 * <p>Instances are immutable and thread-safe; all share one configured {@link ObjectMapper}.
 */
public final class SignalCodec {

    /** The protocol version this code speaks (sent in {@code welcome}, {@code host.ready}). */
    public static final int PROTOCOL_VERSION = 1;

    /** Room the relay's envelope may add around a host body it forwards to a client. */
    public static final int ENVELOPE_SLACK_BYTES = 4096;

    /** Deepest JSON nesting accepted anywhere in a frame; real frames need fewer than 10 levels. */
    public static final int MAX_NESTING_DEPTH = 64;

    private static final ObjectMapper MAPPER = newObjectMapper();

    private final Limits limits;

    public SignalCodec(Limits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** A codec with {@link Limits#DEFAULTS}. */
    public static SignalCodec withDefaults() {
        return new SignalCodec(Limits.DEFAULTS);
    }

    public Limits limits() {
        return limits;
    }

    /**
     * A fresh mapper with the protocol's settings, for components that need their own (e.g. an
     * HTTP JSON API that should behave like the signalling). The codec's shared mapper is never
     * handed out, so nobody can reconfigure it.
     */
    public static ObjectMapper newObjectMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .build();
        return JsonMapper.builder(factory)
                // forward compatibility: fields added by newer peers are ignored
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_EXTERNAL_TYPE_ID_PROPERTY)
                .enable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
                .build();
    }

    /** The size limit, in UTF-8 bytes, that applies to frames of the given type. */
    public int maxBytesFor(Class<?> type) {
        if (RelayToClient.class.isAssignableFrom(type)) {
            return limits.maxHostFrameBytes() + ENVELOPE_SLACK_BYTES;
        }
        if (RelayToHost.class.isAssignableFrom(type) || HostToRelay.class.isAssignableFrom(type)) {
            return limits.maxHostFrameBytes();
        }
        return limits.maxFrameBytes();
    }

    /**
     * Decodes one text frame.
     *
     * @param frame the frame's text
     * @param type  the direction's sealed interface, e.g. {@code ClientToRelay.class}
     * @throws ProtocolException {@code too_large} when the frame exceeds the limit for {@code type}
     *                           (checked before parsing), {@code bad_request} for anything else wrong
     */
    public <T> T decode(String frame, Class<T> type) throws ProtocolException {
        Objects.requireNonNull(type, "type");
        if (frame == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "empty frame");
        }
        int max = maxBytesFor(type);
        if (utf8LengthExceeds(frame, max)) {
            throw tooLarge(max);
        }
        try (JsonParser parser = MAPPER.createParser(frame)) {
            return read(parser, type);
        } catch (IOException e) {
            throw translate(e, recoverId(frame));
        }
    }

    /**
     * Decodes one frame given as UTF-8 bytes (saves a copy when the transport hands out bytes).
     *
     * @see #decode(String, Class)
     */
    public <T> T decode(byte[] utf8, Class<T> type) throws ProtocolException {
        Objects.requireNonNull(type, "type");
        if (utf8 == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "empty frame");
        }
        int max = maxBytesFor(type);
        if (utf8.length > max) {
            throw tooLarge(max);
        }
        try (JsonParser parser = MAPPER.createParser(utf8)) {
            return read(parser, type);
        } catch (IOException e) {
            String id = null;
            try {
                id = idOf(MAPPER.readTree(utf8));
            } catch (IOException unreadable) {
                // no id to report: the frame is not even JSON
            }
            throw translate(e, id);
        }
    }

    /**
     * Reads a layer-2 body (the {@code body} of a request, reply or event) as the given type,
     * e.g. {@code HostRequest.class}. Size was already bounded by the enclosing frame.
     *
     * @throws ProtocolException {@code bad_request} when the body does not match the type
     */
    public <T> T fromBody(JsonNode body, Class<T> type) throws ProtocolException {
        Objects.requireNonNull(type, "type");
        if (body == null || !body.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "body must be a JSON object");
        }
        try {
            return MAPPER.readerFor(type).readValue(body);
        } catch (IOException e) {
            throw translate(e, null);
        }
    }

    /** Turns a layer-2 value into a {@code body} node for a frame. */
    public JsonNode toBody(Object value) {
        Objects.requireNonNull(value, "value");
        JsonNode node = MAPPER.valueToTree(value);
        if (!node.isObject()) {
            throw new IllegalArgumentException(value.getClass().getName() + " does not encode to a JSON object");
        }
        return node;
    }

    /**
     * Encodes a frame (or any protocol value) as JSON text. The {@code type} property comes from
     * the frame's sealed interface. Frames are not size-checked here: the sender knows best how to
     * keep within limits (e.g. by returning a shorter history page).
     */
    public String encode(Object frame) {
        Objects.requireNonNull(frame, "frame");
        try {
            return MAPPER.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getName(), e);
        }
    }

    /** {@link #encode(Object)} as UTF-8 bytes. */
    public byte[] encodeUtf8(Object frame) {
        Objects.requireNonNull(frame, "frame");
        try {
            return MAPPER.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getName(), e);
        }
    }

    /**
     * Whether the UTF-8 encoding of {@code text} is longer than {@code max} bytes, computed without
     * encoding (a surrogate half counts as 2 bytes, so a pair counts as its 4).
     */
    static boolean utf8LengthExceeds(CharSequence text, int max) {
        int chars = text.length();
        if (chars > max) {
            return true;
        }
        if ((long) chars * 3 <= max) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < chars; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                bytes += 2;
            } else {
                bytes += 3;
            }
            if (bytes > max) {
                return true;
            }
        }
        return false;
    }

    private static <T> T read(JsonParser parser, Class<T> type) throws IOException, ProtocolException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "empty frame");
        }
        if (first != JsonToken.START_OBJECT) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "frame must be a JSON object");
        }
        ObjectReader reader = MAPPER.readerFor(type);
        T value = reader.readValue(parser);
        if (parser.nextToken() != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "malformed JSON: trailing data after the object");
        }
        return value;
    }

    private String recoverId(String frame) {
        try {
            return idOf(MAPPER.readTree(frame));
        } catch (IOException unreadable) {
            return null;
        }
    }

    private String idOf(JsonNode tree) {
        if (tree != null && tree.isObject()) {
            JsonNode id = tree.get("id");
            if (id != null && id.isTextual() && id.textValue().length() <= limits.maxIdChars()) {
                return id.textValue();
            }
        }
        return null;
    }

    private static ProtocolException tooLarge(int max) {
        return new ProtocolException(ErrorCode.TOO_LARGE, "frame exceeds " + max + " bytes");
    }

    private static ProtocolException translate(IOException e, String id) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, describe(e), id, e);
    }

    private static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamConstraintsException) {
                String detail = String.valueOf(t.getMessage());
                return detail.contains("nesting")
                        ? "malformed JSON: nested deeper than " + MAX_NESTING_DEPTH + " levels"
                        : "malformed JSON: a value exceeds the parser's length limits";
            }
        }
        if (e instanceof InvalidTypeIdException) {
            String typeId = ((InvalidTypeIdException) e).getTypeId();
            return typeId == null ? "missing field 'type'" : "unknown type '" + Require.clip(typeId) + "'";
        }
        if (e instanceof ValueInstantiationException) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
                return cause.getMessage();
            }
            return "invalid value" + at((JsonMappingException) e);
        }
        if (e instanceof MismatchedInputException) {
            MismatchedInputException m = (MismatchedInputException) e;
            String message = m.getOriginalMessage();
            if (message != null && message.startsWith("Missing required creator property")) {
                int open = message.indexOf('\'');
                int close = open < 0 ? -1 : message.indexOf('\'', open + 1);
                if (close > open) {
                    return "missing field '" + message.substring(open + 1, close) + "'";
                }
            }
            if (m.getPath().isEmpty()) {
                return "malformed JSON: unexpected end of input";
            }
            return "invalid value" + at(m);
        }
        if (e instanceof JsonMappingException) {
            return "invalid value" + at((JsonMappingException) e);
        }
        if (e instanceof StreamReadException) {
            return "malformed JSON: " + Require.clip(((StreamReadException) e).getOriginalMessage());
        }
        return "malformed JSON";
    }

    private static String at(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(Require.clip(ref.getFieldName()));
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "" : " for field '" + path + "'";
    }
}
