package dev.faces.generator.model;

import dev.faces.core.Digests;
import dev.faces.core.Latents;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.tensor.SafeTensors;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Brings a checkpoint's generator into the registry: download, SHA-256 and shape checks, load, a warm-up
 * forward pass, then the swap. Anything wrong leaves the served model alone and is recorded with its reason.
 */
public final class CheckpointLoader {
    private static final Logger LOG = Logger.getLogger(CheckpointLoader.class.getName());
    /** A DCGAN generator is 14.3 MB; anything much bigger is not one. */
    static final long MAX_BYTES = 64L << 20;

    private final ObjectStore store;
    private final String bucket;
    private final ModelRegistry registry;

    public CheckpointLoader(ObjectStore store, String bucket, ModelRegistry registry) {
        this.store = store;
        this.bucket = bucket;
        this.registry = registry;
    }

    /** @return true when the checkpoint is now loaded (or already was) */
    public boolean load(String runId, int epoch, String expectedSha256, Double swd, Instant publishedAt) {
        if (registry.knows(runId, epoch)) {
            return true; // at-least-once delivery: the same checkpoint twice is a no-op
        }
        String version = LoadedModel.version(runId, epoch);
        try {
            byte[] bytes = store.get(bucket, ObjectKeys.generator(runId, epoch)).orElseThrow(() ->
                    new IllegalArgumentException("s3://" + bucket + "/" + ObjectKeys.generator(runId, epoch) + " does not exist"));
            if (bytes.length > MAX_BYTES) {
                throw new IllegalArgumentException("generator is " + bytes.length + " bytes; at most " + MAX_BYTES);
            }
            String sha = Digests.sha256(bytes);
            if (expectedSha256 != null && !expectedSha256.equals(sha)) {
                throw new IllegalArgumentException("sha256 mismatch: the event announced " + expectedSha256
                        + ", the object has " + sha);
            }
            GeneratorModel model = GeneratorModel.load(SafeTensors.read(bytes));
            float[] warm = model.generate(Latents.of(0, 1), 1, null);
            for (float v : warm) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("the generator produces NaN or infinite pixels");
                }
            }
            registry.add(new LoadedModel(runId, epoch, sha, model, Instant.now()), swd, publishedAt);
            LOG.info("loaded " + version + "; serving " + registry.current().map(LoadedModel::version).orElse("nothing"));
            return true;
        } catch (RuntimeException e) {
            LOG.warning("rejected checkpoint " + version + ": " + e.getMessage() + "; still serving "
                    + registry.current().map(LoadedModel::version).orElse("nothing"));
            registry.reject(runId, epoch, swd, e.getMessage());
            return false;
        }
    }

    /**
     * On start: the newest complete checkpoint in S3 (its metrics.json exists) that loads, trying older ones
     * when the newest is bad.
     */
    public Optional<String> loadNewest() {
        List<ObjectStore.Listed> complete = store.listWithTimes(bucket, "").stream()
                .filter(l -> l.key().endsWith("/metrics.json"))
                .filter(l -> ObjectKeys.parseCheckpointKey(l.key()).isPresent())
                .sorted(Comparator.comparing(ObjectStore.Listed::lastModified).reversed())
                .toList();
        for (ObjectStore.Listed l : complete) {
            ObjectKeys.CheckpointRef ref = ObjectKeys.parseCheckpointKey(l.key()).orElseThrow();
            if (registry.wasRejected(ref.runId(), ref.epoch())) {
                continue;
            }
            if (load(ref.runId(), ref.epoch(), null, null, l.lastModified())) {
                return Optional.of(LoadedModel.version(ref.runId(), ref.epoch()));
            }
        }
        return Optional.empty();
    }
}
