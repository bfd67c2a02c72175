package dev.faces.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.events.EventCodec;
import java.io.IOException;

/** Request bodies as JSON objects, bounded in size, with a problem saying what to send when they are not. */
public final class JsonBodies {
    private JsonBodies() {
    }

    /**
     * @param example what a good body looks like, for the error message
     * @throws ProblemException 400 when missing, not JSON or not an object; 413 when larger than {@code maxBytes}
     */
    public static JsonNode object(byte[] body, int maxBytes, String example) {
        if (body == null || body.length == 0) {
            throw new ProblemException(400, "Missing body", "send a JSON object, e.g. " + example);
        }
        if (body.length > maxBytes) {
            throw new ProblemException(413, "Body too large", "the body is at most " + maxBytes + " bytes");
        }
        JsonNode json;
        try {
            json = EventCodec.json().readTree(body);
        } catch (IOException e) {
            throw new ProblemException(400, "Malformed JSON", "the body is not valid JSON: " + e.getMessage());
        }
        if (json == null || !json.isObject()) {
            throw new ProblemException(400, "Bad Request", "the body must be a JSON object, e.g. " + example);
        }
        return json;
    }
}
