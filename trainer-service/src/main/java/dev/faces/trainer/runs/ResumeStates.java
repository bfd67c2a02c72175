package dev.faces.trainer.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.EventCodec;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.trainer.gan.TrainingLoop;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Mid-epoch resume state, whole or absent. Each state goes under a prefix of its own
 * ({@code <runId>/resume/step-NNNNNNNNNN/}); then {@code resume/latest.json}, written last, names it with the
 * sha256 of every part. A kill between two writes leaves the previous pointer and its complete state. On load,
 * every part must match its digest and come from the pointer's step.
 */
public final class ResumeStates {
    private static final Logger LOG = Logger.getLogger(ResumeStates.class.getName());
    private static final String OCTETS = "application/octet-stream";
    private static final List<String> PARTS = List.of("generator.safetensors", "discriminator.safetensors",
            "optimizer.safetensors");
    /** Written since G_ema exists; a state without it resumes with G_ema restarted from G. */
    private static final String EMA_PART = "generator-ema.safetensors";

    private final ObjectStore store;
    private final String bucket;

    public ResumeStates(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    /** A state the loop can resume from: epoch {@code epoch}, after {@code batchesDone} of its batches. */
    public record Saved(int epoch, int batchesDone, long globalStep, TrainingLoop.Snapshot snapshot) {
    }

    public void save(RunWrites writes, String runId, int epoch, int batchesDone, long globalStep, TrainingLoop.Snapshot state) {
        byte[][] parts = {state.generator(), state.discriminator(), state.optimizer()};
        ObjectNode pointer = EventCodec.json().createObjectNode();
        pointer.put("epoch", epoch);
        pointer.put("batchesDone", batchesDone);
        pointer.put("globalStep", globalStep);
        ObjectNode digests = pointer.putObject("parts");
        for (int i = 0; i < parts.length; i++) {
            String key = ObjectKeys.resumePart(runId, globalStep, PARTS.get(i));
            writes.put(key, parts[i], OCTETS);
            digests.put(key, Digests.sha256(parts[i]));
        }
        if (state.generatorEma() != null) {
            String key = ObjectKeys.resumePart(runId, globalStep, EMA_PART);
            writes.put(key, state.generatorEma(), OCTETS);
            digests.put(key, Digests.sha256(state.generatorEma()));
        }
        String previous = pointerPrefix(runId).orElse(null);
        writes.put(ObjectKeys.resumePointer(runId), pointer.toString().getBytes(), "application/json");
        LOG.info("run " + runId + ": resume state saved at epoch " + epoch + ", batch " + batchesDone + " (step "
                + globalStep + ")");
        if (previous != null && !previous.equals(ObjectKeys.resumePart(runId, globalStep, ""))) {
            deleteQuietly(writes, previous);
        }
    }

    /**
     * The saved state for epoch {@code epoch}, if a complete and consistent one exists. A stale pointer (another
     * epoch) or a damaged state is ignored with a warning: the run then resumes from its epoch checkpoint.
     */
    public Optional<Saved> load(String runId, int epoch) {
        Optional<byte[]> raw = store.get(bucket, ObjectKeys.resumePointer(runId));
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode p = EventCodec.json().readTree(raw.get());
            if (p.path("epoch").asInt() != epoch) {
                return Optional.empty();
            }
            long step = p.path("globalStep").asLong(-1);
            byte[][] parts = new byte[PARTS.size()][];
            for (int i = 0; i < parts.length; i++) {
                String key = ObjectKeys.resumePart(runId, step, PARTS.get(i));
                byte[] bytes = store.get(bucket, key).orElseThrow(() -> new IllegalStateException(key + " is missing"));
                String expected = p.path("parts").path(key).asText();
                if (!Digests.sha256(bytes).equals(expected)) {
                    throw new IllegalStateException(key + " does not match the sha256 in latest.json");
                }
                parts[i] = bytes;
            }
            for (int i = 0; i < 2; i++) {
                String partStep = SafeTensors.read(parts[i]).metadata().get("global_step");
                if (!String.valueOf(step).equals(partStep)) {
                    throw new IllegalStateException(PARTS.get(i) + " is from step " + partStep + ", not " + step);
                }
            }
            long optimizerStep = SafeTensors.read(parts[2]).require("progress.global_step").longs()[0];
            if (optimizerStep != step) {
                throw new IllegalStateException("optimizer.safetensors is from step " + optimizerStep + ", not " + step);
            }
            byte[] ema = null;
            String emaKey = ObjectKeys.resumePart(runId, step, EMA_PART);
            if (p.path("parts").has(emaKey)) {
                ema = store.get(bucket, emaKey).orElseThrow(() -> new IllegalStateException(emaKey + " is missing"));
                if (!Digests.sha256(ema).equals(p.path("parts").path(emaKey).asText())) {
                    throw new IllegalStateException(emaKey + " does not match the sha256 in latest.json");
                }
            }
            return Optional.of(new Saved(epoch, p.path("batchesDone").asInt(), step,
                    new TrainingLoop.Snapshot(parts[0], parts[1], parts[2], null, ema, null)));
        } catch (IOException | RuntimeException e) {
            if (e instanceof ObjectStore.StorageException storage) {
                throw storage; // storage away is no reason to throw progress away
            }
            LOG.warning("run " + runId + ": resume state unusable (" + e.getMessage() + "); resuming from the epoch checkpoint");
            return Optional.empty();
        }
    }

    /** Removes every resume state of the run (after an epoch checkpoint, which supersedes them). Best effort. */
    public void clear(RunWrites writes, String runId) {
        try {
            for (String key : store.list(bucket, ObjectKeys.resumePrefix(runId))) {
                writes.delete(key);
            }
        } catch (FencedException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.fine("run " + runId + ": old resume state not removed: " + e.getMessage());
        }
    }

    private Optional<String> pointerPrefix(String runId) {
        try {
            return store.get(bucket, ObjectKeys.resumePointer(runId)).map(bytes -> {
                try {
                    long step = EventCodec.json().readTree(bytes).path("globalStep").asLong(-1);
                    return step < 0 ? null : ObjectKeys.resumePart(runId, step, "");
                } catch (IOException e) {
                    return null;
                }
            });
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void deleteQuietly(RunWrites writes, String prefix) {
        try {
            for (String key : store.list(bucket, prefix)) {
                writes.delete(key);
            }
        } catch (FencedException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.fine("old resume state under " + prefix + " not removed: " + e.getMessage());
        }
    }
}
