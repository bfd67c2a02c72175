import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.faces.core.DcganLayers;
import dev.faces.core.Latents;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.generator.model.FaceBatcher;
import dev.faces.generator.model.GeneratorModel;
import dev.faces.generator.model.LoadedModel;
import dev.faces.trainer.gan.Dcgan;
import dev.faces.trainer.gan.Net;
import dev.faces.trainer.gan.HyperParameters;
import dev.faces.trainer.gan.TrainingLoop;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * scripts/bench-generator.sh: the generator-service's pure-Java forward pass against DJL's forward of the same
 * weights in the same JVM, and the micro-batcher under 16 concurrent clients.
 */
public class GeneratorBench {
    public static void main(String[] args) throws Exception {
        byte[] weights;
        try (TrainingLoop loop = TrainingLoop.fresh(new HyperParameters(1, 128, 2e-4, 0.5, 999))) {
            weights = loop.snapshot().generator(); // full-size G with recalibrated BN statistics
        }
        GeneratorModel plain = GeneratorModel.load(SafeTensors.read(weights));
        ForkJoinPool pool = new ForkJoinPool(2);
        String kernel = GeneratorModel.kernel();
        report("java  one face (" + kernel + ")", time(200, () -> plain.generate(Latents.of(1, 1), 1, pool)), 1);
        report("java  batch 64 (" + kernel + ")", time(10, () -> plain.generate(Latents.of(2, 64), 64, pool)), 64);
        if (Boolean.getBoolean("bench.plain-only")) {
            pool.shutdown();
            return;
        }

        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.load(root, DcganLayers.GENERATOR, SafeTensors.read(weights))) {
            Runnable one = () -> forward(root, g, 1);
            Runnable many = () -> forward(root, g, 64);
            report("djl   one face", time(200, one), 1);
            report("djl   batch 64", time(10, many), 64);
        }

        LoadedModel model = new LoadedModel("bench", 1, "0".repeat(64), plain, Instant.now());
        try (FaceBatcher batcher = new FaceBatcher(() -> model, 64, 2000, 4096, 2)) {
            int clients = 16;
            int perClient = 40;
            long t0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            List<Double> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int c = 0; c < clients; c++) {
                int client = c;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < perClient; i++) {
                        long s = System.nanoTime();
                        batcher.submit(Latents.of(client * 1000L + i, 1), 1).join();
                        latencies.add((System.nanoTime() - s) / 1e6);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double[] l = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("RESULT batcher 16 clients x 1 face: %.0f faces/s, latency p50 %.1f ms p99 %.1f ms%n",
                    clients * perClient / seconds, l[l.length / 2], l[(int) (l.length * 0.99)]);
        }
        pool.shutdown();
    }

    private static void forward(NDManager root, Net g, int n) {
        try (NDManager m = root.newSubManager()) {
            NDArray z = m.create(Latents.of(3, n), new Shape(n, Latents.DIM));
            Dcgan.generate(g, z, Dcgan.Mode.EVAL, m).toFloatArray();
        }
    }

    private static double[] time(int runs, Runnable r) {
        for (int i = 0; i < Math.max(5, runs / 10); i++) {
            r.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return t;
    }

    private static void report(String what, double[] t, int faces) {
        double p50 = t[t.length / 2];
        System.out.printf("RESULT %s: p50 %.2f ms, p99 %.2f ms, %.0f faces/s%n", what, p50,
                t[Math.min(t.length - 1, (int) (t.length * 0.99))], faces * 1000 / p50);
    }
}
