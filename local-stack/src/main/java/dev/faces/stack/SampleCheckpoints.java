package dev.faces.stack;

import dev.faces.core.CheckpointManifest;
import dev.faces.core.DcganLayers;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checkpoints as the trainer commits them (generator, metrics.json, then checkpoint.json), with random
 * full-size weights: for tests and drills of the serving side that need checkpoints without training.
 */
public final class SampleCheckpoints {
    private SampleCheckpoints() {
    }

    /**
     * Writes run {@code run}'s epoch {@code epoch} and returns the event that announces it. With {@code wrongBytes}
     * the stored generator is another well-formed one (other weights, same size and layout) than the one whose
     * sha256 checkpoint.json and the event list: only the digest differs.
     */
    public static CheckpointPublished write(ObjectStore s3, String run, int epoch, long seed, double swd,
                                            boolean wrongBytes) {
        byte[] bytes = generator(seed);
        String sha = Digests.sha256(bytes);
        String bucket = ObjectKeys.CHECKPOINTS_BUCKET;
        s3.put(bucket, ObjectKeys.generator(run, epoch), wrongBytes ? generator(seed + 1000) : bytes,
                "application/octet-stream");
        s3.put(bucket, ObjectKeys.epochMetrics(run, epoch), "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        CheckpointPublished.Metrics metrics = new CheckpointPublished.Metrics(1.0, 1.0, 0.5, 0.5, 0.5, swd, 50.0);
        CheckpointManifest manifest = new CheckpointManifest(run, "ds", epoch, epoch * 10L,
                List.of(new CheckpointManifest.Entry(ObjectKeys.generator(run, epoch), bytes.length, sha)), metrics,
                10.0, 512, false);
        s3.put(bucket, ObjectKeys.checkpointManifest(run, epoch), manifest.toJson(), "application/json");
        return manifest.event();
    }

    /**
     * As {@link #write}, with a G_ema too (another generator, from {@code seed + 500}) and its SWD: what the trainer
     * writes since it keeps a moving average of G.
     */
    public static CheckpointPublished writeWithAverage(ObjectStore s3, String run, int epoch, long seed, double swd,
                                                       double swdEma) {
        byte[] bytes = generator(seed);
        byte[] ema = generator(seed + 500);
        String bucket = ObjectKeys.CHECKPOINTS_BUCKET;
        s3.put(bucket, ObjectKeys.generator(run, epoch), bytes, "application/octet-stream");
        s3.put(bucket, ObjectKeys.generatorEma(run, epoch), ema, "application/octet-stream");
        CheckpointPublished.Metrics metrics = new CheckpointPublished.Metrics(1.0, 1.0, 0.5, 0.5, 0.5, swd, 50.0, swdEma);
        CheckpointManifest manifest = new CheckpointManifest(run, "ds", epoch, epoch * 10L,
                List.of(CheckpointManifest.Entry.of(ObjectKeys.generator(run, epoch), bytes),
                        CheckpointManifest.Entry.of(ObjectKeys.generatorEma(run, epoch), ema)), metrics, 10.0, 512, false);
        s3.put(bucket, ObjectKeys.checkpointManifest(run, epoch), manifest.toJson(), "application/json");
        return manifest.event();
    }

    /** A full-size DCGAN generator's safetensors with the tutorial's init, from {@code seed}. */
    public static byte[] generator(long seed) {
        Random random = new Random(seed);
        Map<String, SafeTensor> state = new LinkedHashMap<>();
        for (DcganLayers.TensorSpec spec : DcganLayers.stateDict(DcganLayers.GENERATOR)) {
            if (spec.dtype() == SafeTensor.DType.I64) {
                state.put(spec.name(), SafeTensor.i64(new long[] {1}, new long[0]));
                continue;
            }
            float[] v = new float[(int) spec.elementCount()];
            boolean variance = spec.name().endsWith("running_var");
            boolean bnWeight = spec.shape().length == 1 && spec.name().endsWith("weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = variance ? 1f : (float) (0.02 * random.nextGaussian() + (bnWeight ? 1 : 0));
            }
            state.put(spec.name(), SafeTensor.f32(v, spec.shape()));
        }
        return SafeTensors.write(state, Map.of("format", "pt"));
    }
}
