package dev.faces.core.events;

/** A record that is not a valid pipeline event. The message says what is wrong and what is expected. */
public class EventFormatException extends RuntimeException {

    public enum Kind {
        /** Not JSON at all, or JSON of the wrong shape (an array where an object belongs). */
        MALFORMED_JSON,
        /** JSON, but not a CloudEvent 1.0 envelope. */
        NOT_A_CLOUDEVENT,
        /** A CloudEvent whose type this pipeline does not know. */
        UNKNOWN_TYPE,
        MISSING_FIELD,
        WRONG_TYPE,
        INVALID_VALUE
    }

    private final Kind kind;

    public EventFormatException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public EventFormatException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static <T> T required(String field, T value) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw new EventFormatException(Kind.MISSING_FIELD, field + " is required");
        }
        return value;
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new EventFormatException(Kind.INVALID_VALUE, message);
        }
    }

    static String safeId(String field, String value) {
        required(field, value);
        try {
            return dev.faces.core.Ids.requireSafe(field, value);
        } catch (IllegalArgumentException e) {
            throw new EventFormatException(Kind.INVALID_VALUE, e.getMessage());
        }
    }

    static String requireSha256(String field, String value) {
        required(field, value);
        check(value.matches("[0-9a-f]{64}"), field + " must be 64 lower-case hex digits (a SHA-256), was '" + value + "'");
        return value;
    }
}
