package dev.faces.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code epoch-NNNN/checkpoint.json}, the commit marker of a checkpoint, written after every object it lists.
 * The checkpoint event is built from it, so a re-announcement after a crash or a broker outage says exactly
 * what the first one said.
 *
 * @param swdImages  real images held back from training that SWD was measured against (0: not measured)
 * @param swdFloor   SWD between two equal-sized real sets: the value a perfect generator would reach
 */
public record CheckpointManifest(String runId, String datasetId, int epoch, long step, List<Entry> objects,
                                 CheckpointPublished.Metrics metrics, Double swdFloor, int swdImages,
                                 boolean diverging) {

    /** One object of the checkpoint, as a reader verifies it. */
    public record Entry(String key, long bytes, String sha256) {
        public static Entry of(String key, byte[] content) {
            return new Entry(key, content.length, Digests.sha256(content));
        }
    }

    public Optional<Entry> object(String key) {
        return objects.stream().filter(e -> e.key().equals(key)).findFirst();
    }

    /** The event announcing this checkpoint (the same every time it is built). */
    public CheckpointPublished event() {
        Entry g = object(ObjectKeys.generator(runId, epoch)).orElseThrow(() -> new IllegalStateException(
                "checkpoint.json of " + runId + " epoch " + epoch + " lists no generator"));
        return new CheckpointPublished(runId, datasetId, epoch, step,
                new CheckpointPublished.ObjectRef(g.key(), g.sha256(), g.bytes()),
                ObjectKeys.discriminator(runId, epoch), ObjectKeys.optimizer(runId, epoch),
                ObjectKeys.samples(runId, epoch), metrics);
    }

    /** A stable CloudEvent id for this checkpoint's announcement, so a repeat is recognisably the same event. */
    public String eventId() {
        return "checkpoint-" + runId + "-" + epoch + "-" + object(ObjectKeys.generator(runId, epoch))
                .map(e -> e.sha256().substring(0, 16)).orElse("none");
    }

    public byte[] toJson() {
        try {
            return EventCodec.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CheckpointManifest parse(byte[] bytes) {
        try {
            JsonNode tree = EventCodec.json().readTree(bytes);
            if (tree == null || !tree.isObject() || !tree.path("objects").isArray()) {
                throw new IllegalArgumentException("checkpoint.json is not an object with an objects array");
            }
            return EventCodec.json().treeToValue(tree, CheckpointManifest.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint.json is unreadable: " + e.getMessage(), e);
        }
    }
}
