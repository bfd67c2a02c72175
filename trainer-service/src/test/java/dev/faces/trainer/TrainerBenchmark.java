package dev.faces.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.faces.core.DcganLayers;
import dev.faces.core.Digests;
import dev.faces.core.Latents;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import dev.faces.trainer.data.BatchFeeder;
import dev.faces.trainer.gan.Adam;
import dev.faces.trainer.gan.DcganStep;
import dev.faces.trainer.gan.Net;
import dev.faces.trainer.gan.TrainingListener;
import dev.faces.trainer.gan.TrainingData;
import dev.faces.trainer.gan.HyperParameters;
import dev.faces.trainer.gan.TrainingLoop;
import dev.faces.trainer.runs.DivergenceAlarm;
import dev.faces.trainer.runs.RunProgress;
import dev.faces.trainer.runs.TrainingLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Step time of the service's loop (shards through the verifying loader, the prefetching feeder, the
 * listeners) against a bare DJL loop of the same DcganStep on one in-memory batch. Run by
 * scripts/bench-trainer.sh, which also times the tutorial's own step on PyTorch.
 */
public final class TrainerBenchmark {
    public static void main(String[] args) throws Exception {
        int batch = Integer.parseInt(args.length > 0 ? args[0] : "128");
        int steps = Integer.parseInt(args.length > 1 ? args[1] : "8");
        int warmup = 2;
        double bare = bare(batch, warmup, steps);
        double service = service(batch, warmup, steps);
        double ema = ema(warmup, 20);
        System.out.printf("RESULT batch=%d steps=%d bare_ms=%.0f service_ms=%.0f ratio=%.3f ema_update_ms=%.2f"
                + " ema_share=%.4f%n", batch, steps, bare, service, service / bare, ema, ema / service);
    }

    private static double bare(int batch, int warmup, int steps) {
        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.initialise(root, DcganLayers.GENERATOR, new Random(1));
             Net d = Net.initialise(root, DcganLayers.DISCRIMINATOR, new Random(2))) {
            DcganStep step = new DcganStep(g, d, Adam.tutorial(g, 2e-4, 0.5), Adam.tutorial(d, 2e-4, 0.5));
            float[] pixels = pixels(batch, new Random(3));
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < warmup + steps; i++) {
                long t0 = System.nanoTime();
                try (NDManager m = root.newSubManager()) {
                    NDArray real = m.create(pixels, new Shape(batch, 3, 64, 64));
                    NDArray noise = m.create(Latents.of(i, batch), new Shape(batch, Latents.DIM));
                    step.run(real, noise);
                }
                if (i >= warmup) {
                    times.add((System.nanoTime() - t0) / 1e6);
                }
            }
            System.out.println("bare DJL step ms: " + times);
            return median(times);
        }
    }

    /** One G_ema update (part of every service step): average = beta * average + (1 - beta) * G. */
    private static double ema(int warmup, int updates) {
        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.initialise(root, DcganLayers.GENERATOR, new Random(1))) {
            dev.faces.trainer.gan.GeneratorAverage average = dev.faces.trainer.gan.GeneratorAverage.of(root, g, 0.999);
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < warmup + updates; i++) {
                long t0 = System.nanoTime();
                average.update(g, 1000 + i);
                if (i >= warmup) {
                    times.add((System.nanoTime() - t0) / 1e6);
                }
            }
            System.out.println("G_ema update ms: " + times);
            return median(times);
        }
    }

    private static double service(int batch, int warmup, int steps) throws Exception {
        Path dir = Files.createTempDirectory("bench-shards");
        int shardSize = 256;
        int shardCount = (warmup + steps) * batch / shardSize + 1;
        List<DatasetBatch> shards = new ArrayList<>();
        Map<Integer, Path> files = new HashMap<>();
        Random random = new Random(4);
        for (int s = 0; s < shardCount; s++) {
            byte[] px = new byte[shardSize * 3 * 64 * 64];
            random.nextBytes(px);
            byte[] npy = Npy.write(NpyArray.uint8(px, shardSize, 3, 64, 64));
            Path f = dir.resolve("shard-" + s + ".npy");
            Files.write(f, npy);
            files.put(s, f);
            shards.add(new DatasetBatch("bench", s, f.toString(), shardSize, 64, Digests.sha256(npy), (long) npy.length));
        }
        BatchFeeder.ShardLoader loader = shard -> {
            try {
                byte[] bytes = Files.readAllBytes(files.get(shard.shardIndex()));
                if (!Digests.sha256(bytes).equals(shard.sha256())) {
                    throw new IllegalStateException("digest");
                }
                return Npy.read(bytes, NpyArray.DType.UINT8, -1, 3, 64, 64);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        int batches = warmup + steps;
        TrainingData data = new TrainingData() {
            @Override
            public int batchesPerEpoch() {
                return batches;
            }

            @Override
            public BatchFeeder open(int epoch, int skip) {
                return new BatchFeeder(shards, loader, dev.faces.trainer.data.HoldBack.NONE, 999, epoch, batch, 4, 3, skip);
            }

            @Override
            public BatchFeeder.Batch heldBack() {
                return new BatchFeeder.Batch(new byte[0], 0);
            }

            @Override
            public double swdFloor() {
                return Double.NaN;
            }
        };
        List<Double> times = new ArrayList<>();
        long[] last = {System.nanoTime()};
        TrainingListener timer = new TrainingListener() {
            @Override
            public void onStep(StepInfo s) {
                long now = System.nanoTime();
                if (s.batch() > warmup) {
                    times.add((now - last[0]) / 1e6);
                }
                last[0] = now;
            }
        };
        RunProgress progress = new RunProgress("bench");
        try (TrainingLoop loop = TrainingLoop.fresh(new HyperParameters(1, batch, 2e-4, 0.5, 999))) {
            last[0] = System.nanoTime();
            loop.run(data, List.of(progress, new DivergenceAlarm(), new TrainingLog(progress), timer), () -> times.size() >= steps);
        }
        System.out.println("service loop step ms: " + times);
        return median(times.subList(0, Math.min(steps, times.size())));
    }

    private static float[] pixels(int batch, Random random) {
        float[] p = new float[batch * 3 * 64 * 64];
        for (int i = 0; i < p.length; i++) {
            p[i] = random.nextFloat() * 2 - 1;
        }
        return p;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
