package dev.faces.core;

import java.util.regex.Pattern;

/**
 * Dataset and run ids become object-key prefixes and Kafka keys, so they are restricted to a
 * path-safe alphabet: no slashes, no "..", nothing a shell or URL would need to escape.
 */
public final class Ids {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Ids() {
    }

    public static boolean isSafe(String id) {
        return id != null && SAFE.matcher(id).matches() && !id.contains("..");
    }

    /** Returns the id, or throws with a message naming the field and the allowed form. */
    public static String requireSafe(String field, String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (!isSafe(id)) {
            throw new IllegalArgumentException(field + " '" + abbreviate(id)
                    + "' is not allowed: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'");
        }
        return id;
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
