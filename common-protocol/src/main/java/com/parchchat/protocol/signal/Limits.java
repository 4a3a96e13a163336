package com.parchchat.protocol.signal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Protocol limits, as one value that component configs embed and may override.
 *
 * <p>Every limit is explicit so that a peer can be told exactly what it exceeded
 * ({@link ErrorCode#TOO_LARGE}) rather than being cut off by an implicit buffer size. The
 * constructor validates the values; when loaded from YAML, absent keys take the value of
 * {@link #DEFAULTS}, so a config only names the limits it changes.
 *
 * @param maxFrameBytes         largest text frame (UTF-8 bytes) a client may send (to the relay or the SFU)
 * @param maxHostFrameBytes     largest frame between relay and host, and from relay to client; larger than
 *                              {@code maxFrameBytes} because host replies (history pages, bootstrap) are bigger
 *                              than anything a client sends
 * @param maxContentChars       longest message content, in UTF-16 chars (as {@link String#length()})
 * @param maxHistoryPage        most messages in one history page
 * @param maxSearchResults      most messages in one search result
 * @param maxMembersPage        most members in one {@code member.list} page
 * @param maxTopicsPerSubscribe most topics in one {@code subscribe}/{@code unsubscribe} frame
 * @param maxNameChars          longest space or channel name
 * @param maxIdChars            longest id (correlation id, nonce, host/user/session id) a peer may send
 * @param maxEmojiChars         longest reaction emoji (a grapheme may span several chars)
 */
public record Limits(
        int maxFrameBytes,
        int maxHostFrameBytes,
        int maxContentChars,
        int maxHistoryPage,
        int maxSearchResults,
        int maxMembersPage,
        int maxTopicsPerSubscribe,
        int maxNameChars,
        int maxIdChars,
        int maxEmojiChars) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_HOST_FRAME_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_CONTENT_CHARS = 4000;
    public static final int DEFAULT_MAX_HISTORY_PAGE = 100;
    public static final int DEFAULT_MAX_SEARCH_RESULTS = 50;
    public static final int DEFAULT_MAX_MEMBERS_PAGE = 500;
    public static final int DEFAULT_MAX_TOPICS_PER_SUBSCRIBE = 256;
    public static final int DEFAULT_MAX_NAME_CHARS = 100;
    public static final int DEFAULT_MAX_ID_CHARS = 128;
    public static final int DEFAULT_MAX_EMOJI_CHARS = 32;

    /** Smallest frame limit accepted: below this even an error frame might not fit. */
    public static final int MIN_FRAME_BYTES = 1024;

    public static final Limits DEFAULTS = new Limits(
            DEFAULT_MAX_FRAME_BYTES,
            DEFAULT_MAX_HOST_FRAME_BYTES,
            DEFAULT_MAX_CONTENT_CHARS,
            DEFAULT_MAX_HISTORY_PAGE,
            DEFAULT_MAX_SEARCH_RESULTS,
            DEFAULT_MAX_MEMBERS_PAGE,
            DEFAULT_MAX_TOPICS_PER_SUBSCRIBE,
            DEFAULT_MAX_NAME_CHARS,
            DEFAULT_MAX_ID_CHARS,
            DEFAULT_MAX_EMOJI_CHARS);

    public Limits {
        atLeast("maxFrameBytes", maxFrameBytes, MIN_FRAME_BYTES);
        atLeast("maxHostFrameBytes", maxHostFrameBytes, maxFrameBytes);
        atLeast("maxContentChars", maxContentChars, 1);
        atLeast("maxHistoryPage", maxHistoryPage, 1);
        atLeast("maxSearchResults", maxSearchResults, 1);
        atLeast("maxMembersPage", maxMembersPage, 1);
        atLeast("maxTopicsPerSubscribe", maxTopicsPerSubscribe, 1);
        atLeast("maxNameChars", maxNameChars, 1);
        atLeast("maxIdChars", maxIdChars, 16);
        atLeast("maxEmojiChars", maxEmojiChars, 1);
    }

    /**
     * Builds limits from a config where every key is optional; absent keys take the default.
     * This is the constructor Jackson uses (YAML/JSON config files).
     */
    @JsonCreator
    public static Limits of(
            @JsonProperty("maxFrameBytes") Integer maxFrameBytes,
            @JsonProperty("maxHostFrameBytes") Integer maxHostFrameBytes,
            @JsonProperty("maxContentChars") Integer maxContentChars,
            @JsonProperty("maxHistoryPage") Integer maxHistoryPage,
            @JsonProperty("maxSearchResults") Integer maxSearchResults,
            @JsonProperty("maxMembersPage") Integer maxMembersPage,
            @JsonProperty("maxTopicsPerSubscribe") Integer maxTopicsPerSubscribe,
            @JsonProperty("maxNameChars") Integer maxNameChars,
            @JsonProperty("maxIdChars") Integer maxIdChars,
            @JsonProperty("maxEmojiChars") Integer maxEmojiChars) {
        return new Limits(
                or(maxFrameBytes, DEFAULT_MAX_FRAME_BYTES),
                or(maxHostFrameBytes, DEFAULT_MAX_HOST_FRAME_BYTES),
                or(maxContentChars, DEFAULT_MAX_CONTENT_CHARS),
                or(maxHistoryPage, DEFAULT_MAX_HISTORY_PAGE),
                or(maxSearchResults, DEFAULT_MAX_SEARCH_RESULTS),
                or(maxMembersPage, DEFAULT_MAX_MEMBERS_PAGE),
                or(maxTopicsPerSubscribe, DEFAULT_MAX_TOPICS_PER_SUBSCRIBE),
                or(maxNameChars, DEFAULT_MAX_NAME_CHARS),
                or(maxIdChars, DEFAULT_MAX_ID_CHARS),
                or(maxEmojiChars, DEFAULT_MAX_EMOJI_CHARS));
    }

    /** A copy with a different client frame limit (the most commonly tuned value). */
    public Limits withMaxFrameBytes(int bytes) {
        return new Limits(bytes, Math.max(bytes, maxHostFrameBytes), maxContentChars, maxHistoryPage,
                maxSearchResults, maxMembersPage, maxTopicsPerSubscribe, maxNameChars, maxIdChars, maxEmojiChars);
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private static void atLeast(String key, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException("limits." + key + " must be at least " + min + " (was " + value + ")");
        }
    }
}
