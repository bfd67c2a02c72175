package dev.faces.generator.model;

import dev.faces.core.CheckpointManifest;
import dev.faces.core.Digests;
import dev.faces.core.Latents;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.tensor.SafeTensors;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Brings checkpoints into the registry. Every path (an event, the startup scan, the rescan) goes through the
 * checkpoint's {@code checkpoint.json}, its commit marker: without it a checkpoint is incomplete and never
 * served; with it, the generator's size and sha256 are checked against what it lists (and against the event's
 * digest, if an event named one) before anything is parsed. Then the load, a warm-up forward pass and the
 * registry's swap. Storage failures are transient (tried again on the next scan); a wrong checkpoint is
 * rejected for good with its reason.
 */
public final class CheckpointLoader {
    private static final Logger LOG = Logger.getLogger(CheckpointLoader.class.getName());
    /** A DCGAN generator is 14.3 MB; anything much bigger is not one. */
    static final long MAX_BYTES = 64L << 20;
    /** A checkpoint.json lists five objects and a few numbers. */
    static final long MAX_MANIFEST_BYTES = 64L << 10;
    /** How often a checkpoint whose object and manifest disagree is read, and the pause between reads. */
    static final int TORN_READS = 3;
    static final java.time.Duration TORN_READ_PAUSE = java.time.Duration.ofMillis(700);

    private final ObjectStore store;
    private final String bucket;
    private final ModelRegistry registry;
    private final Variant variant;

    /**
     * Which generator of a checkpoint is served: {@code ema} (G_ema, the moving average of G's weights, when the
     * checkpoint has one; G otherwise) or {@code raw} (G). The best policy ranks checkpoints by that one's SWD.
     */
    public enum Variant { ema, raw }

    public CheckpointLoader(ObjectStore store, String bucket, ModelRegistry registry) {
        this(store, bucket, registry, Variant.ema);
    }

    public CheckpointLoader(ObjectStore store, String bucket, ModelRegistry registry, Variant variant) {
        this.store = store;
        this.bucket = bucket;
        this.registry = registry;
        this.variant = variant;
    }

    public Variant variant() {
        return variant;
    }

    /** The SWD the best policy ranks by: G_ema's where it is served and measured, else G's. */
    Double rankingSwd(Double swd, Double swdEma) {
        return variant == Variant.ema && swdEma != null ? swdEma : swd;
    }

    /**
     * A checkpoint event: the checkpoint joins the registry with the event's digest and is verified against its
     * checkpoint.json when it is loaded. Nothing here throws for a bad checkpoint, so no valid event is ever
     * dead-lettered.
     */
    public void onEvent(String runId, int epoch, String sha256, Double swd, Instant publishedAt) {
        onEvent(runId, epoch, sha256, swd, null, publishedAt);
    }

    /** As above, with G_ema's SWD from the event (null for checkpoints without G_ema). */
    public void onEvent(String runId, int epoch, String sha256, Double swd, Double swdEma, Instant publishedAt) {
        registry.known(runId, epoch, rankingSwd(swd, swdEma), publishedAt, sha256);
        refresh();
    }

    /**
     * The startup scan and the rescan: every complete checkpoint in S3 joins the registry from its manifest
     * (one listing, and one small read per new checkpoint), then the preferred one is loaded and served.
     */
    public Optional<String> scan() {
        for (ObjectStore.Listed l : store.listWithTimes(bucket, "")) {
            if (!l.key().endsWith("/checkpoint.json")) {
                continue;
            }
            Optional<ObjectKeys.CheckpointRef> ref = ObjectKeys.parseCheckpointKey(l.key());
            if (ref.isEmpty()) {
                continue; // an odd key is no checkpoint; the scan goes on
            }
            String runId = ref.get().runId();
            int epoch = ref.get().epoch();
            Optional<ModelRegistry.Entry> known = registry.entry(runId, epoch);
            boolean rewritten = known.isPresent() && known.get().status() == ModelRegistry.Status.rejected
                    && l.lastModified().isAfter(known.get().publishedAt());
            if (rewritten) {
                // checkpoint.json was written again after the verdict: the checkpoint gets a new look
                LOG.info("checkpoint " + LoadedModel.version(runId, epoch) + " was written again since it was rejected;"
                        + " checking it again");
                registry.rewritten(runId, epoch, l.lastModified());
            }
            if (known.isPresent() && known.get().status() != ModelRegistry.Status.incomplete
                    && known.get().status() != ModelRegistry.Status.unavailable && !rewritten) {
                continue;
            }
            try {
                manifest(runId, epoch, l.lastModified()).ifPresent(m ->
                        registry.known(runId, epoch, m.metrics() == null ? null
                                        : rankingSwd(m.metrics().swd(), m.metrics().swdEma()), l.lastModified(),
                                generatorSha(m)));
            } catch (ObjectStore.StorageException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.warning("checkpoint " + LoadedModel.version(runId, epoch) + " skipped: " + e.getMessage());
            }
        }
        refresh();
        return registry.current().map(LoadedModel::version);
    }

    /** Follows the serving state every replica shares: the pin (or none) and the policy. */
    public void follow(ModelRegistry.Pin pin, ModelRegistry.Policy policy) {
        registry.follow(pin, policy);
        refresh();
        LOG.info("serving state: " + (pin == null ? "no pin" : "pinned " + pin.version()) + ", policy "
                + registry.policy() + "; serving " + registry.current().map(LoadedModel::version).orElse("nothing"));
    }

    /** Pins a checkpoint, loading it first if it is not in memory. */
    public LoadedModel pin(String runId, int epoch) {
        registry.pin(runId, epoch);
        ModelRegistry.Entry e = registry.entry(runId, epoch).orElseThrow();
        if (e.model() == null && !load(e)) {
            ModelRegistry.Entry after = registry.entry(runId, epoch).orElseThrow();
            registry.unpin();
            throw new IllegalArgumentException("checkpoint " + e.version() + " could not be loaded: " + after.reason());
        }
        return registry.current().orElseThrow();
    }

    /** Loads what the policy or pin prefers until it is served, skipping over checkpoints that fail. */
    public void refresh() {
        for (int attempt = 0; attempt < 100; attempt++) {
            Optional<ModelRegistry.Entry> want = registry.reselect();
            if (want.isEmpty()) {
                return; // the preferred checkpoint is served
            }
            ModelRegistry.Entry e = want.get();
            if (!load(e) && registry.entry(e.runId(), e.epoch())
                    .map(after -> after.status() == ModelRegistry.Status.unavailable).orElse(false)) {
                return; // storage is away: the next scan tries again
            }
        }
    }

    private boolean load(ModelRegistry.Entry entry) {
        String runId = entry.runId();
        int epoch = entry.epoch();
        String version = entry.version();
        try {
            Optional<CheckpointManifest> manifest = manifest(runId, epoch, entry.publishedAt());
            if (manifest.isEmpty()) {
                return false;
            }
            String raw = ObjectKeys.generator(runId, epoch);
            String ema = ObjectKeys.generatorEma(runId, epoch);
            boolean averaged = variant == Variant.ema && manifest.get().object(ema).isPresent();
            String key = averaged ? ema : raw;
            CheckpointManifest.Entry listed = manifest.get().object(key).orElseThrow(() ->
                    new IllegalArgumentException("checkpoint.json lists no " + key));
            // The event's digest is G's: it is checked when G is what is served.
            if (!averaged && entry.sha256() != null && !entry.sha256().equals(listed.sha256())) {
                throw new IllegalArgumentException("sha256 mismatch: the event announced " + entry.sha256()
                        + ", checkpoint.json lists " + listed.sha256());
            }
            byte[] bytes = consistentBytes(runId, epoch, key, listed);
            String sha = Digests.sha256(bytes);
            GeneratorModel model = GeneratorModel.load(SafeTensors.read(bytes));
            float[] warm = model.generate(Latents.of(0, 1), 1, null);
            for (float v : warm) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("non-finite output: the generator produces NaN or infinite pixels");
                }
            }
            registry.loaded(new LoadedModel(runId, epoch, sha, model, Instant.now(), averaged ? "ema" : "raw"));
            LOG.info("loaded " + version + "; serving " + registry.current().map(LoadedModel::version).orElse("nothing"));
            return true;
        } catch (ObjectStore.StorageException e) {
            LOG.warning("checkpoint " + version + " not loaded now (" + e.getMessage() + "); tried again later");
            registry.unavailable(runId, epoch, "storage unavailable: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            registry.unavailable(runId, epoch, "interrupted while loading");
            return false;
        } catch (OutOfMemoryError e) {
            LOG.warning("checkpoint " + version + " not loaded now: out of memory; tried again later");
            registry.unavailable(runId, epoch, "out of memory while loading");
            return false;
        } catch (RuntimeException e) {
            LOG.warning("rejected checkpoint " + version + ": " + e.getMessage() + "; still serving "
                    + registry.current().map(LoadedModel::version).orElse("nothing"));
            registry.reject(runId, epoch, e.getMessage());
            return false;
        }
    }

    /**
     * The object's bytes, which must have the digest that checkpoint.json lists. A mismatch is read again, manifest
     * and object both, a few times: a reader that met the manifest of one write and the object of another (a torn
     * read, while a checkpoint is being written again) sees them agree a moment later. Only a mismatch that stays
     * is a wrong checkpoint.
     */
    private byte[] consistentBytes(String runId, int epoch, String key, CheckpointManifest.Entry listed)
            throws InterruptedException {
        for (int read = 1; ; read++) {
            if (listed.bytes() > MAX_BYTES) {
                throw new IllegalArgumentException("generator is " + listed.bytes() + " bytes; at most " + MAX_BYTES);
            }
            byte[] bytes = store.get(bucket, key).orElseThrow(() -> new IllegalArgumentException(
                    "s3://" + bucket + "/" + key + " is listed in checkpoint.json but does not exist"));
            String sha = Digests.sha256(bytes);
            if (listed.sha256().equals(sha)) {
                return bytes;
            }
            if (read == TORN_READS) {
                throw new IllegalArgumentException("sha256 mismatch: checkpoint.json lists " + listed.sha256()
                        + ", the object has " + sha + " (read " + read + " times, " + TORN_READ_PAUSE.toMillis()
                        + " ms apart)");
            }
            LOG.info("checkpoint " + LoadedModel.version(runId, epoch) + ": " + key + " does not match checkpoint.json"
                    + " yet; reading both again");
            Thread.sleep(TORN_READ_PAUSE.toMillis());
            CheckpointManifest again = manifest(runId, epoch, null).orElseThrow(() ->
                    new IllegalArgumentException("checkpoint.json of " + LoadedModel.version(runId, epoch) + " vanished"));
            listed = again.object(key).orElseThrow(() -> new IllegalArgumentException("checkpoint.json lists no " + key));
        }
    }

    /** The checkpoint's manifest; marks it incomplete (not rejected) when there is none yet. */
    private Optional<CheckpointManifest> manifest(String runId, int epoch, Instant publishedAt) {
        Optional<byte[]> bytes = store.get(bucket, ObjectKeys.checkpointManifest(runId, epoch));
        if (bytes.isEmpty()) {
            registry.incomplete(runId, epoch, publishedAt, "checkpoint.json is missing: the checkpoint is not complete");
            return Optional.empty();
        }
        if (bytes.get().length > MAX_MANIFEST_BYTES) {
            throw new IllegalArgumentException("checkpoint.json is " + bytes.get().length + " bytes; at most "
                    + MAX_MANIFEST_BYTES);
        }
        return Optional.of(CheckpointManifest.parse(bytes.get()));
    }

    private static String generatorSha(CheckpointManifest m) {
        return m.object(ObjectKeys.generator(m.runId(), m.epoch())).map(CheckpointManifest.Entry::sha256).orElse(null);
    }
}
