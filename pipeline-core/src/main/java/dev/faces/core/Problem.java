package dev.faces.core;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}).
 * {@code detail} says what was wrong and what is allowed, for a person to act on.
 */
public record Problem(String type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail);
    }
}
