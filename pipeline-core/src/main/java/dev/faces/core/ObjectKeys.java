package dev.faces.core;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The object layout of DESIGN §4, in one place. Bucket names are configurable; these are the defaults. */
public final class ObjectKeys {
    public static final String DATASETS_BUCKET = "faces-datasets";
    public static final String CHECKPOINTS_BUCKET = "faces-checkpoints";

    private static final Pattern CHECKPOINT_DIR = Pattern.compile("([^/]+)/epoch-(\\d{4,})/.*");

    private ObjectKeys() {
    }

    // --- faces-datasets ---------------------------------------------------------------------------

    public static String datasetPrefix(String datasetId) {
        return Ids.requireSafe("datasetId", datasetId) + "/";
    }

    public static String manifest(String datasetId) {
        return datasetPrefix(datasetId) + "manifest.json";
    }

    public static String shard(String datasetId, int shardIndex) {
        return shardBase(datasetId, shardIndex) + ".npy";
    }

    public static String shardIndex(String datasetId, int shardIndex) {
        return shardBase(datasetId, shardIndex) + ".json";
    }

    /** The ingest request that is building (or built) the dataset: how an interrupted ingest resumes. */
    public static String ingestRequest(String datasetId) {
        return datasetPrefix(datasetId) + "ingest-request.json";
    }

    public static String rejected(String datasetId) {
        return datasetPrefix(datasetId) + "rejected.jsonl";
    }

    private static String shardBase(String datasetId, int shardIndex) {
        if (shardIndex < 0) {
            throw new IllegalArgumentException("shardIndex must be >= 0, was " + shardIndex);
        }
        return datasetPrefix(datasetId) + String.format("shards/shard-%06d", shardIndex);
    }

    // --- faces-checkpoints ------------------------------------------------------------------------

    public static String runPrefix(String runId) {
        return Ids.requireSafe("runId", runId) + "/";
    }

    public static String runJson(String runId) {
        return runPrefix(runId) + "run.json";
    }

    /** The run's loss plot (the tutorial's G and D losses against the step), redrawn at every epoch's end. */
    public static String lossPlot(String runId) {
        return runPrefix(runId) + "losses.png";
    }

    public static String metricsLog(String runId) {
        return runPrefix(runId) + "metrics.jsonl";
    }

    public static String epochPrefix(String runId, int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, was " + epoch);
        }
        return runPrefix(runId) + String.format("epoch-%04d/", epoch);
    }

    public static String generator(String runId, int epoch) {
        return epochPrefix(runId, epoch) + "generator.safetensors";
    }

    /** G_ema, the moving average of the generator's weights, with the same tensor names. */
    public static String generatorEma(String runId, int epoch) {
        return epochPrefix(runId, epoch) + "generator-ema.safetensors";
    }

    public static String discriminator(String runId, int epoch) {
        return epochPrefix(runId, epoch) + "discriminator.safetensors";
    }

    public static String optimizer(String runId, int epoch) {
        return epochPrefix(runId, epoch) + "optimizer.safetensors";
    }

    public static String samples(String runId, int epoch) {
        return epochPrefix(runId, epoch) + "samples.png";
    }

    /** The same 64 latents drawn by G_ema. */
    public static String samplesEma(String runId, int epoch) {
        return epochPrefix(runId, epoch) + "samples-ema.png";
    }

    public static String epochMetrics(String runId, int epoch) {
        return epochPrefix(runId, epoch) + "metrics.json";
    }

    /**
     * The commit marker of an epoch's checkpoint, written last: every object of the checkpoint with its key,
     * size and sha256, and the metrics. A checkpoint without it is incomplete.
     */
    public static String checkpointManifest(String runId, int epoch) {
        return epochPrefix(runId, epoch) + "checkpoint.json";
    }

    /** Every mid-epoch resume state of a run lives under here; it is only resumed from, never served. */
    public static String resumePrefix(String runId) {
        return runPrefix(runId) + "resume/";
    }

    /** One resume state's parts, under a prefix of their own (one per global step), so no write overwrites another. */
    public static String resumePart(String runId, long globalStep, String file) {
        if (globalStep < 0) {
            throw new IllegalArgumentException("globalStep must be >= 0, was " + globalStep);
        }
        return resumePrefix(runId) + String.format("step-%010d/", globalStep) + file;
    }

    /** Names the newest complete resume state; written after all of its parts. */
    public static String resumePointer(String runId) {
        return resumePrefix(runId) + "latest.json";
    }

    /** Asks the run's owner (whichever trainer replica it is) to cancel the run between two steps. */
    public static String cancelRequest(String runId) {
        return runPrefix(runId) + "cancel-requested.json";
    }

    /** The model version shown to clients, e.g. {@code run-42/epoch-0003}. */
    public static String modelVersion(String runId, int epoch) {
        return epochPrefix(runId, epoch).replaceAll("/$", "");
    }

    /** A checkpoint named by a key inside its epoch folder, e.g. {@code run-42/epoch-0003/generator.safetensors}. */
    public record CheckpointRef(String runId, int epoch) {
    }

    public static Optional<CheckpointRef> parseCheckpointKey(String key) {
        Matcher m = CHECKPOINT_DIR.matcher(key);
        if (!m.matches() || !Ids.isSafe(m.group(1))) {
            return Optional.empty();
        }
        int epoch;
        try {
            epoch = Integer.parseInt(m.group(2));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty(); // an odd key is no checkpoint; it must not abort a scan
        }
        return epoch < 1 ? Optional.empty() : Optional.of(new CheckpointRef(m.group(1), epoch));
    }
}
