import dev.faces.core.Digests;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.NpyArray;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.ingest.preprocess.Preprocessor;
import dev.faces.trainer.data.BatchFeeder;
import dev.faces.trainer.data.HoldBack;
import dev.faces.trainer.gan.TrainingData;
import dev.faces.trainer.gan.TrainingListener;
import dev.faces.trainer.gan.HyperParameters;
import dev.faces.trainer.gan.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Trains N runs of one epoch with the tutorial's hyper-parameters (batch 128, lr 2e-4, beta1 0.5) on a folder of
 * faces preprocessed as the ingest does, 500 held back for SWD, and checks every tensor of G, G_ema, D and both
 * Adams that the epoch's snapshot holds, and both SWDs. Run by scripts/check-finite-runs.sh, which loads the cores.
 * Usage: FiniteRunsCheck DIR RUNS FIRST_SEED [FIRST_RUN]
 */
public final class FiniteRunsCheck {
    private static final int HELD_BACK = 500;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        long firstSeed = Long.parseLong(args[2]);
        int firstRun = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        int n = files.size();
        byte[] pixels = new byte[n * Preprocessor.IMAGE_BYTES];
        for (int i = 0; i < n; i++) {
            Preprocessor.tutorialPixels(Files.readAllBytes(files.get(i)), pixels, i * Preprocessor.IMAGE_BYTES);
        }
        NpyArray shard = NpyArray.uint8(pixels, n, 3, 64, 64);
        List<DatasetBatch> shards = List.of(new DatasetBatch("finite-check", 0, "finite-check/shard-00000.npy", n, 64,
                "0".repeat(64), (long) pixels.length));
        BatchFeeder.ShardLoader loader = s -> shard;
        HoldBack holdBack = HoldBack.of(shards, HELD_BACK);
        int failed = 0;
        for (int r = 0; r < runs; r++) {
            long seed = firstSeed + r;
            HyperParameters hyper = new HyperParameters(1, 128, 2e-4, 0.5, seed);
            long t0 = System.nanoTime();
            List<TrainingListener.EpochInfo> epochs = new ArrayList<>();
            String outcome;
            try (TrainingLoop loop = TrainingLoop.fresh(hyper, ai.djl.Device.cpu())) {
                loop.run(data(shards, loader, holdBack, hyper), List.of(new TrainingListener() {
                    @Override
                    public void onEpoch(EpochInfo e) {
                        epochs.add(e);
                    }
                }), () -> false);
                outcome = "yes";
            } catch (RuntimeException e) {
                outcome = "**no**: " + e.getMessage();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (epochs.isEmpty()) {
                failed++;
                System.out.printf("| %d | %d | - | - | - | - | - | - | %s | %.0f |%n", firstRun + r + 1, seed, outcome,
                        seconds);
                continue;
            }
            TrainingListener.EpochInfo e = epochs.get(0);
            TrainingLoop.Snapshot s = e.snapshot();
            int tensors = 0;
            int nonFinite = 0;
            for (byte[] state : new byte[][] {s.generator(), s.generatorEma(), s.discriminator(), s.optimizer()}) {
                for (Map.Entry<String, SafeTensor> t : SafeTensors.read(state).tensors().entrySet()) {
                    if (t.getValue().dtype() != SafeTensor.DType.F32) {
                        continue;
                    }
                    tensors++;
                    for (float v : t.getValue().floats()) {
                        if (!Float.isFinite(v)) {
                            nonFinite++;
                            break;
                        }
                    }
                }
            }
            boolean ok = nonFinite == 0 && Double.isFinite(e.swd()) && Double.isFinite(e.swdEma())
                    && e.last().isFinite();
            failed += ok ? 0 : 1;
            System.out.printf("| %d | %d | %d | %.4f | %.4f | %.1f | %.1f | %d | %s | %.0f |%n", firstRun + r + 1, seed,
                    e.globalStep(), e.last().lossD(), e.last().lossG(), e.swd(), e.swdEma(), tensors,
                    ok ? "yes" : "**no** (" + nonFinite + " non-finite tensors)", seconds);
        }
        System.out.println("RESULT runs=" + runs + " failed=" + failed);
        System.exit(failed == 0 ? 0 : 1);
    }

    private static TrainingData data(List<DatasetBatch> shards, BatchFeeder.ShardLoader loader, HoldBack holdBack,
                                     HyperParameters hyper) {
        int batches = BatchFeeder.batchesPerEpoch(holdBack.trainingImages(shards), hyper.batchSize());
        return new TrainingData() {
            @Override
            public int batchesPerEpoch() {
                return batches;
            }

            @Override
            public BatchFeeder open(int epoch, int skip) {
                return new BatchFeeder(shards, loader, holdBack, hyper.seed(), epoch, hyper.batchSize(), 1, 2, skip);
            }

            @Override
            public BatchFeeder.Batch heldBack() {
                return holdBack.heldBack(shards, loader);
            }

            @Override
            public double swdFloor() {
                return Double.NaN;
            }
        };
    }
}
