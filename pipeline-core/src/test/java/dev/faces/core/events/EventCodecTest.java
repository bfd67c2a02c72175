package dev.faces.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.Topics;
import dev.faces.core.events.EventFormatException.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventCodecTest {
    private static final String SHA = "a".repeat(64);

    private static final CheckpointPublished CHECKPOINT = new CheckpointPublished("run-1", "celeba", 3, 4740L,
            new CheckpointPublished.ObjectRef("run-1/epoch-0003/generator.safetensors", SHA, 14_310_000L),
            "run-1/epoch-0003/discriminator.safetensors", "run-1/epoch-0003/optimizer.safetensors",
            "run-1/epoch-0003/samples.png",
            new CheckpointPublished.Metrics(0.7, 2.1, 0.6, 0.3, 0.2, 42.5, 51.2));

    @Test
    void structuredRoundTripKeepsEveryField() {
        CloudEvent event = new CloudEvent("e-1", "/trainer", Instant.parse("2026-11-26T10:00:00Z"), CHECKPOINT);
        byte[] json = EventCodec.toStructured(event);
        CloudEvent back = EventCodec.decode(Map.of(), json);
        assertThat(back).isEqualTo(event);
        assertThat(back.type().topic()).isEqualTo(Topics.CHECKPOINTS);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"specversion\":\"1.0\"", "\"type\":\"faces.checkpoint.published.v1\"",
                        "\"subject\":\"run-1\"", "\"datacontenttype\":\"application/json\"");
    }

    @Test
    void binaryRoundTripUsesCeHeaders() {
        DatasetBatch batch = new DatasetBatch("celeba", 0, "celeba/shards/shard-000000.npy", 1000, 64, SHA, 12_288_128L);
        CloudEvent event = CloudEvent.of("/ingest", batch);
        Map<String, String> headers = EventCodec.binaryHeaders(event);
        assertThat(headers).containsEntry("ce_type", "faces.dataset.batch.v1").containsEntry("ce_subject", "celeba");
        CloudEvent back = EventCodec.decode(headers, EventCodec.dataJson(batch));
        assertThat(back.data()).isEqualTo(batch);
        assertThat(back.id()).isEqualTo(event.id());
    }

    @Test
    void aKcatTypedRequestGetsTheTutorialDefaults() {
        String typed = """
                {"specversion":"1.0","id":"by-hand-1","source":"kcat","type":"faces.training.requested.v1",
                 "data":{"datasetId":"celeba","epochs":2}}""";
        CloudEvent event = EventCodec.decode(Map.of(), typed.getBytes(StandardCharsets.UTF_8));
        TrainingRequested r = (TrainingRequested) event.data();
        assertThat(r.epochs()).isEqualTo(2);
        assertThat(r.batchSize()).isEqualTo(128);
        assertThat(r.learningRate()).isEqualTo(0.0002);
        assertThat(r.beta1()).isEqualTo(0.5);
        assertThat(r.seed()).isEqualTo(999L);
        assertThat(r.runId()).isNull();
        assertThat(event.time()).isNull();
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        String json = """
                {"specversion":"1.0","id":"x","source":"s","type":"faces.dataset.completed.v1",
                 "data":{"datasetId":"d","shardCount":2,"imageCount":9,"rejectedCount":1,"manifestKey":"d/manifest.json","new":1}}""";
        assertThat(EventCodec.decode(Map.of(), json.getBytes(StandardCharsets.UTF_8)).data())
                .isEqualTo(new DatasetCompleted("d", 2, 9, 1, "d/manifest.json"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "not json       | MALFORMED_JSON   | record value is not valid JSON",
        "array          | MALFORMED_JSON   | expected a JSON object (a structured CloudEvent), got array",
        "no specversion | NOT_A_CLOUDEVENT | not a CloudEvent: no 'specversion' attribute and no ce_specversion header",
        "spec 0.3       | NOT_A_CLOUDEVENT | unsupported CloudEvents specversion '0.3'; expected 1.0",
        "unknown type   | UNKNOWN_TYPE     | unknown CloudEvent type 'faces.cats.v1'; known types: faces.dataset.batch.v1, faces.dataset.completed.v1, faces.training.requested.v1, faces.checkpoint.published.v1, faces.training.finished.v1",
        "no id          | MISSING_FIELD    | CloudEvent attribute 'id' is required",
        "no data        | MISSING_FIELD    | CloudEvent has no 'data'",
        "no dataset     | MISSING_FIELD    | datasetId is required",
        "epochs string  | WRONG_TYPE       | field 'epochs' must be an integer",
        "epochs float   | WRONG_TYPE       | field 'epochs': 2.5 is not an integer",
        "epochs zero    | INVALID_VALUE    | epochs must be between 1 and 10000, was 0",
        "path in id     | INVALID_VALUE    | datasetId '../etc' is not allowed: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'",
        "bad status     | WRONG_TYPE       | field 'status': 'exploded' is not one of completed, failed, cancelled",
        "nested missing | MISSING_FIELD    | generator: sha256 is required",
        "bad time       | WRONG_TYPE       | CloudEvent attribute 'time' must be an RFC 3339 timestamp, was 'yesterday'",
        "xml data       | NOT_A_CLOUDEVENT | datacontenttype 'application/xml' is not supported; expected application/json",
        "empty          | MALFORMED_JSON   | record has no value (a tombstone or an empty message)",
    })
    void rejectsBadRecordsWithATypedReason(String kase, Kind kind, String message) {
        String req = "\"type\":\"faces.training.requested.v1\"";
        String value = switch (kase) {
            case "not json" -> "hello";
            case "array" -> "[1,2]";
            case "no specversion" -> "{\"id\":\"1\",\"source\":\"s\"," + req + ",\"data\":{}}";
            case "spec 0.3" -> envelope("0.3", req, "{\"datasetId\":\"d\"}");
            case "unknown type" -> envelope("1.0", "\"type\":\"faces.cats.v1\"", "{}");
            case "no id" -> "{\"specversion\":\"1.0\",\"source\":\"s\"," + req + ",\"data\":{}}";
            case "no data" -> "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\"," + req + "}";
            case "no dataset" -> envelope("1.0", req, "{\"epochs\":3}");
            case "epochs string" -> envelope("1.0", req, "{\"datasetId\":\"d\",\"epochs\":\"3\"}");
            case "epochs float" -> envelope("1.0", req, "{\"datasetId\":\"d\",\"epochs\":2.5}");
            case "epochs zero" -> envelope("1.0", req, "{\"datasetId\":\"d\",\"epochs\":0}");
            case "path in id" -> envelope("1.0", req, "{\"datasetId\":\"../etc\"}");
            case "bad status" -> envelope("1.0", "\"type\":\"faces.training.finished.v1\"",
                    "{\"runId\":\"r\",\"status\":\"exploded\",\"epochs\":1}");
            case "nested missing" -> new String(EventCodec.toStructured(CloudEvent.of("t", CHECKPOINT)),
                    StandardCharsets.UTF_8).replace("\"sha256\":\"" + SHA + "\",", "");
            case "bad time" -> "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"time\":\"yesterday\"," + req
                    + ",\"data\":{\"datasetId\":\"d\"}}";
            case "xml data" -> "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"datacontenttype\":\"application/xml\","
                    + req + ",\"data\":{\"datasetId\":\"d\"}}";
            case "empty" -> "";
            default -> throw new IllegalArgumentException(kase);
        };
        assertThatThrownBy(() -> EventCodec.decode(Map.of(), value.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .message().startsWith(message);
    }

    @Test
    void binaryModeWithBadDataIsRejected() {
        Map<String, String> headers = Map.of("ce_specversion", "1.0", "ce_id", "1", "ce_source", "s",
                "ce_type", "faces.dataset.batch.v1");
        assertThatThrownBy(() -> EventCodec.decode(headers, "{\"datasetId\":\"d\",\"shardIndex\":-1}".getBytes()))
                .isInstanceOf(EventFormatException.class).hasMessage("shardIndex must be >= 0, was -1");
    }

    @Test
    void oversizedRecordsAreRefusedBeforeParsing() {
        byte[] big = new byte[EventCodec.MAX_EVENT_BYTES + 1];
        assertThatThrownBy(() -> EventCodec.decode(Map.of(), big)).hasMessageContaining("events are limited to");
    }

    private static String envelope(String spec, String typeField, String data) {
        return "{\"specversion\":\"" + spec + "\",\"id\":\"1\",\"source\":\"s\"," + typeField + ",\"data\":" + data + "}";
    }
}
