package dev.faces.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks {@code Authorization: Bearer <token>} for write endpoints, in constant time. */
public final class AdminToken {
    private final byte[] expected;

    public AdminToken(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the admin token must not be empty");
        }
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    /** For write endpoints: throws a 401 problem saying what is needed unless the header carries the token. */
    public void require(String authorizationHeader) {
        if (!accepts(authorizationHeader)) {
            throw new ProblemException(401, "Unauthorized",
                    "this endpoint needs 'Authorization: Bearer <admin token>' (config faces.admin-token / ADMIN_TOKEN)");
        }
    }

    public boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorizationHeader.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }
}
