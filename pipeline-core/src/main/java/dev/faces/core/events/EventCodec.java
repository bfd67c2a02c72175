package dev.faces.core.events;

import static dev.faces.core.events.EventFormatException.Kind.MALFORMED_JSON;
import static dev.faces.core.events.EventFormatException.Kind.NOT_A_CLOUDEVENT;
import static dev.faces.core.events.EventFormatException.Kind.WRONG_TYPE;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CloudEvents 1.0 over Kafka in both content modes: binary (attributes in {@code ce_*} headers, data as the
 * value; SmallRye's default) and structured (the whole envelope as the JSON value; easy to type with kcat).
 */
public final class EventCodec {
    public static final String HEADER_PREFIX = "ce_";
    public static final String CONTENT_TYPE_HEADER = "content-type";
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";
    /** Bigger values are refused before parsing: no pipeline event comes near this. */
    public static final int MAX_EVENT_BYTES = 1 << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private EventCodec() {
    }

    /** The shared, configured mapper (also right for manifests and run files). */
    public static ObjectMapper json() {
        return JSON;
    }

    // --- writing ----------------------------------------------------------------------------------

    public static byte[] toStructured(CloudEvent event) {
        ObjectNode root = JSON.createObjectNode();
        root.put("specversion", CloudEvent.SPEC_VERSION);
        root.put("id", event.id());
        root.put("source", event.source());
        root.put("type", event.type().type());
        root.put("subject", event.subject());
        if (event.time() != null) {
            root.put("time", event.time().toString());
        }
        root.put("datacontenttype", CloudEvent.DATA_CONTENT_TYPE);
        root.set("data", JSON.valueToTree(event.data()));
        return write(root);
    }

    public static byte[] dataJson(EventData data) {
        return write(data);
    }

    /** The {@code ce_*} headers of binary mode; the value is {@link #dataJson}. */
    public static Map<String, String> binaryHeaders(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(HEADER_PREFIX + "specversion", CloudEvent.SPEC_VERSION);
        headers.put(HEADER_PREFIX + "id", event.id());
        headers.put(HEADER_PREFIX + "source", event.source());
        headers.put(HEADER_PREFIX + "type", event.type().type());
        headers.put(HEADER_PREFIX + "subject", event.subject());
        if (event.time() != null) {
            headers.put(HEADER_PREFIX + "time", event.time().toString());
        }
        headers.put(CONTENT_TYPE_HEADER, CloudEvent.DATA_CONTENT_TYPE);
        return headers;
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value, e);
        }
    }

    // --- reading ----------------------------------------------------------------------------------

    /**
     * Decodes a Kafka record in either mode: binary when a {@code ce_specversion} header is present,
     * structured otherwise. Header values are UTF-8 strings.
     */
    public static CloudEvent decode(Map<String, String> headers, byte[] value) {
        if (value == null || value.length == 0) {
            throw new EventFormatException(MALFORMED_JSON, "record has no value (a tombstone or an empty message)");
        }
        if (value.length > MAX_EVENT_BYTES) {
            throw new EventFormatException(MALFORMED_JSON,
                    "record value is " + value.length + " bytes; events are limited to " + MAX_EVENT_BYTES);
        }
        String specVersion = headers == null ? null : headers.get(HEADER_PREFIX + "specversion");
        return specVersion != null ? decodeBinary(headers, value) : decodeStructured(value);
    }

    public static CloudEvent decodeStructured(byte[] value) {
        JsonNode root = readTree(value);
        if (!root.isObject()) {
            throw new EventFormatException(MALFORMED_JSON, "expected a JSON object (a structured CloudEvent), got "
                    + root.getNodeType().toString().toLowerCase());
        }
        if (!root.hasNonNull("specversion")) {
            throw new EventFormatException(NOT_A_CLOUDEVENT,
                    "not a CloudEvent: no 'specversion' attribute and no ce_specversion header");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String name : new String[] {"specversion", "id", "source", "type", "time", "datacontenttype"}) {
            JsonNode node = root.get(name);
            if (node != null && !node.isNull()) {
                if (!node.isTextual()) {
                    throw new EventFormatException(WRONG_TYPE, "CloudEvent attribute '" + name + "' must be a string");
                }
                attributes.put(name, node.asText());
            }
        }
        JsonNode data = root.get("data");
        if (data == null || data.isNull()) {
            throw new EventFormatException(EventFormatException.Kind.MISSING_FIELD, "CloudEvent has no 'data'");
        }
        return envelope(attributes, data);
    }

    public static CloudEvent decodeBinary(Map<String, String> headers, byte[] value) {
        Map<String, String> attributes = new LinkedHashMap<>();
        headers.forEach((k, v) -> {
            if (k.startsWith(HEADER_PREFIX)) {
                attributes.put(k.substring(HEADER_PREFIX.length()), v);
            }
        });
        return envelope(attributes, readTree(value));
    }

    private static CloudEvent envelope(Map<String, String> attributes, JsonNode data) {
        String spec = attributes.get("specversion");
        if (!CloudEvent.SPEC_VERSION.equals(spec)) {
            throw new EventFormatException(NOT_A_CLOUDEVENT, "unsupported CloudEvents specversion '" + spec + "'; expected 1.0");
        }
        String contentType = attributes.get("datacontenttype");
        if (contentType != null && !contentType.startsWith("application/json")) {
            throw new EventFormatException(NOT_A_CLOUDEVENT,
                    "datacontenttype '" + contentType + "' is not supported; expected application/json");
        }
        for (String name : new String[] {"id", "source", "type"}) {
            if (attributes.get(name) == null || attributes.get(name).isBlank()) {
                throw new EventFormatException(EventFormatException.Kind.MISSING_FIELD,
                        "CloudEvent attribute '" + name + "' is required");
            }
        }
        EventType type = EventType.of(attributes.get("type"));
        Instant time = null;
        if (attributes.get("time") != null) {
            try {
                time = Instant.parse(attributes.get("time"));
            } catch (DateTimeParseException e) {
                throw new EventFormatException(WRONG_TYPE, "CloudEvent attribute 'time' must be an RFC 3339 timestamp, was '"
                        + attributes.get("time") + "'");
            }
        }
        return new CloudEvent(attributes.get("id"), attributes.get("source"), time, decodeData(type, data));
    }

    /** Binds and validates event data of a known type. */
    public static <T extends EventData> T decodeData(EventType type, JsonNode data) {
        if (!data.isObject()) {
            throw new EventFormatException(MALFORMED_JSON, type.type() + " data must be a JSON object");
        }
        try {
            @SuppressWarnings("unchecked")
            T result = (T) JSON.treeToValue(data, type.dataClass());
            return result;
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof EventFormatException cause) {
                String where = path(e);
                throw where.isEmpty() ? cause : new EventFormatException(cause.kind(), where + ": " + cause.getMessage());
            }
            throw new EventFormatException(EventFormatException.Kind.INVALID_VALUE, type.type() + ": " + e.getOriginalMessage());
        } catch (InvalidFormatException e) {
            throw new EventFormatException(WRONG_TYPE, "field '" + path(e) + "': " + describe(e.getValue()) + " is not "
                    + expected(e.getTargetType()));
        } catch (MismatchedInputException e) {
            throw new EventFormatException(WRONG_TYPE, "field '" + path(e) + "' must be " + expected(e.getTargetType()));
        } catch (JacksonException e) {
            throw new EventFormatException(MALFORMED_JSON, type.type() + ": " + e.getOriginalMessage());
        }
    }

    private static JsonNode readTree(byte[] value) {
        try {
            JsonNode node = JSON.readTree(value);
            if (node == null || node.isMissingNode()) {
                throw new EventFormatException(MALFORMED_JSON, "record value is empty");
            }
            return node;
        } catch (JacksonException e) {
            throw new EventFormatException(MALFORMED_JSON, "record value is not valid JSON: " + e.getOriginalMessage()
                    + " (starts with '" + preview(value) + "')");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.toString().toLowerCase()).collect(Collectors.joining(", "));
        }
        return "an object (" + type.getSimpleName() + ")";
    }

    private static String describe(Object value) {
        return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }

    private static String preview(byte[] value) {
        String s = new String(value, 0, Math.min(value.length, 40), StandardCharsets.UTF_8);
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
