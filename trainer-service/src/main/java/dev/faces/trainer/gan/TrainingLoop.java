package dev.faces.trainer.gan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.faces.core.DcganLayers;
import dev.faces.core.ImageGrid;
import dev.faces.core.Latents;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.trainer.data.BatchFeeder;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * The tutorial's training loop: for each epoch, for each batch, one {@link DcganStep}; after each epoch
 * a snapshot (recalibrated G, D, Adam state, the sample grid, SWD) for the listeners. Noise is a pure
 * function of (seed, epoch, batch), so a run resumed from a checkpoint continues exactly as it would have.
 */
public final class TrainingLoop implements AutoCloseable {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TrainingLoop.class.getName());
    public static final int SAMPLE_LATENTS = 64;
    static final int CALIBRATION_BATCHES = 8; // of CALIBRATION_BATCH latents, by default
    static final int CALIBRATION_BATCH = 128;

    /**
     * A checkpoint's content, serialised. {@code generatorEma} is G_ema (absent in states written before it
     * existed); the sample grids are absent in resume states.
     */
    public record Snapshot(byte[] generator, byte[] discriminator, byte[] optimizer, byte[] samplesPng,
                           byte[] generatorEma, byte[] samplesEmaPng) {
        public Snapshot(byte[] generator, byte[] discriminator, byte[] optimizer, byte[] samplesPng) {
            this(generator, discriminator, optimizer, samplesPng, null, null);
        }
    }

    public enum Outcome { COMPLETED, STOPPED }

    private final HyperParameters hyper;
    private final NDManager root;
    private final Net generator;
    private final Net discriminator;
    private final GeneratorAverage average;
    private final Adam optimizerG;
    private final Adam optimizerD;
    private final DcganStep step;
    private int epochsDone;
    /** Batches of epoch {@code epochsDone + 1} already trained (resuming from a step checkpoint). */
    private int batchesDone;
    private long globalStep;
    private int calibrationBatches = CALIBRATION_BATCHES;

    private TrainingLoop(HyperParameters hyper, NDManager root, Net g, Net d, GeneratorAverage average, int epochsDone,
                         long globalStep) {
        this.average = average;
        this.hyper = hyper;
        this.root = root;
        this.generator = g;
        this.discriminator = d;
        this.optimizerG = Adam.tutorial(g, hyper.learningRate(), hyper.beta1());
        this.optimizerD = Adam.tutorial(d, hyper.learningRate(), hyper.beta1());
        this.step = new DcganStep(g, d, optimizerG, optimizerD);
        this.epochsDone = epochsDone;
        this.globalStep = globalStep;
    }

    /** BN recalibrated over {@code batches} (at least 1) batches of 128 latents at each epoch's end, instead of 8. */
    public TrainingLoop calibratingOn(int batches) {
        this.calibrationBatches = Math.max(1, batches);
        return this;
    }

    /** New networks with the tutorial's initialisation from the run's seed. */
    public static TrainingLoop fresh(HyperParameters hyper) {
        return fresh(hyper, Engine.getInstance().defaultDevice());
    }

    /** As {@link #fresh(HyperParameters)}, with every tensor on the given device. */
    public static TrainingLoop fresh(HyperParameters hyper, Device device) {
        NDManager root = NDManager.newBaseManager(device);
        Random init = new Random(hyper.seed());
        Net g = Net.initialise(root, DcganLayers.GENERATOR, init);
        Net d = Net.initialise(root, DcganLayers.DISCRIMINATOR, init);
        return new TrainingLoop(hyper, root, g, d, GeneratorAverage.of(root, g, hyper.emaDecay()), 0, 0);
    }

    /** Networks and optimisers from a checkpoint; training goes on with the epoch after it. */
    public static TrainingLoop resume(HyperParameters hyper, Snapshot checkpoint) {
        return resume(hyper, checkpoint, Engine.getInstance().defaultDevice());
    }

    /** As {@link #resume(HyperParameters, Snapshot)}, with every tensor on the given device. */
    public static TrainingLoop resume(HyperParameters hyper, Snapshot checkpoint, Device device) {
        NDManager root = NDManager.newBaseManager(device);
        try {
            SafeTensors.Contents opt = SafeTensors.read(checkpoint.optimizer());
            Net g = Net.load(root, DcganLayers.GENERATOR, SafeTensors.read(checkpoint.generator()));
            Net d = Net.load(root, DcganLayers.DISCRIMINATOR, SafeTensors.read(checkpoint.discriminator()));
            int epoch = (int) opt.require("progress.epoch").longs()[0];
            long global = opt.require("progress.global_step").longs()[0];
            GeneratorAverage average = checkpoint.generatorEma() == null
                    ? GeneratorAverage.of(root, g, hyper.emaDecay()) // a state from before G_ema: it starts here
                    : GeneratorAverage.load(root, SafeTensors.read(checkpoint.generatorEma()), hyper.emaDecay());
            TrainingLoop loop = new TrainingLoop(hyper, root, g, d, average, epoch, global);
            SafeTensor batch = opt.tensors().get("progress.batch");
            loop.batchesDone = batch == null ? 0 : (int) batch.longs()[0];
            loop.optimizerG.load("G.", opt.tensors());
            loop.optimizerD.load("D.", opt.tensors());
            return loop;
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** Weights and optimiser state of another run's checkpoint; this run counts its own epochs from zero. */
    public static TrainingLoop warmStart(HyperParameters hyper, Snapshot checkpoint, Device device) {
        TrainingLoop source = resume(hyper, checkpoint, device);
        source.epochsDone = 0;
        source.batchesDone = 0;
        source.globalStep = 0;
        return source;
    }

    /** Where the networks and the step run. */
    public Device device() {
        return root.getDevice();
    }

    /** G itself, for tests that plant a fault in its weights. */
    Net generatorNet() {
        return generator;
    }

    public int epochsDone() {
        return epochsDone;
    }

    public int batchesDone() {
        return batchesDone;
    }

    public long globalStep() {
        return globalStep;
    }

    public Outcome run(TrainingData data, List<TrainingListener> listeners, BooleanSupplier stopRequested)
            throws InterruptedException {
        return run(data, listeners, stopRequested, StepCheckpoints.NONE);
    }

    public Outcome run(TrainingData data, List<TrainingListener> listeners, BooleanSupplier stopRequested,
                       StepCheckpoints stepCheckpoints) throws InterruptedException {
        int batches = data.batchesPerEpoch();
        long savedStep = globalStep; // the newest step that a checkpoint (epoch or resume state) holds
        while (epochsDone < hyper.epochs()) {
            int epoch = epochsDone + 1;
            long images = 0;
            long started = System.nanoTime();
            DcganStep.Result last = null;
            try (BatchFeeder feeder = data.open(epoch, batchesDone)) {
                int batch = batchesDone;
                for (BatchFeeder.Batch b = feeder.next(); b != null; b = feeder.next()) {
                    if (stopRequested.getAsBoolean()) {
                        if (globalStep > savedStep) {
                            batchesDone = batch;
                            stepCheckpoints.save(epoch, batch, NoGrad.call(this::resumeState));
                        }
                        return Outcome.STOPPED;
                    }
                    last = trainOn(b, epoch, batch);
                    globalStep++;
                    batch++;
                    if (!last.isFinite()) {
                        throw new DivergedException(String.format("diverged: non-finite loss at epoch %d, step %d "
                                + "(Loss_D %s, Loss_G %s)", epoch, globalStep, last.lossD(), last.lossG()));
                    }
                    images += b.count();
                    double rate = images / ((System.nanoTime() - started) / 1e9);
                    var info = new TrainingListener.StepInfo(epoch, hyper.epochs(), batch, batches, b.count(),
                            globalStep, last, rate);
                    listeners.forEach(l -> l.onStep(info));
                    if (stepCheckpoints.every() > 0 && globalStep % stepCheckpoints.every() == 0 && batch < batches) {
                        batchesDone = batch;
                        stepCheckpoints.save(epoch, batch, NoGrad.call(this::resumeState));
                        savedStep = globalStep;
                    }
                }
            }
            if (last == null) {
                throw new IllegalStateException("epoch " + epoch + " had no usable images");
            }
            long t0 = System.nanoTime();
            double rate = images / ((t0 - started) / 1e9);
            epochsDone = epoch;
            batchesDone = 0;
            Snapshot snapshot = snapshot(); // recalibrates both generators' BN: SWD then measures what is served
            long t1 = System.nanoTime();
            BatchFeeder.Batch heldBack = data.heldBack();
            double swd = Evaluation.swd(generator, heldBack, hyper.seed(), root);
            long t2 = System.nanoTime();
            double swdEma = Evaluation.swd(average.net(), heldBack, hyper.seed(), root);
            long t3 = System.nanoTime();
            if (heldBack.count() >= 2) { // without held-back faces, NaN means "not measured"
                FiniteStates.requireFinite("SWD of G", swd, globalStep);
                FiniteStates.requireFinite("SWD of G_ema", swdEma, globalStep);
            }
            var info = new TrainingListener.EpochInfo(epoch, hyper.epochs(), globalStep, last, rate, swd,
                    data.swdFloor(), snapshot, swdEma);
            listeners.forEach(l -> l.onEpoch(info));
            long t4 = System.nanoTime();
            LOG.info(String.format("epoch %d's end took %.1f s, %.1f%% of the epoch: BN recalibration, sample grids"
                    + " and serialisation %.1f s, SWD of G %.1f s and of G_ema %.1f s, checkpoint and event %.1f s",
                    epoch, (t4 - t0) / 1e9, 100.0 * (t4 - t0) / (t4 - started), (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    (t3 - t2) / 1e9, (t4 - t3) / 1e9));
            savedStep = globalStep;
        }
        return Outcome.COMPLETED;
    }

    private DcganStep.Result trainOn(BatchFeeder.Batch b, int epoch, int batch) {
        try (NDManager m = root.newSubManager()) {
            NDArray real = m.create(ByteBuffer.wrap(b.pixels()), new Shape(b.count(), 3, 64, 64), DataType.UINT8)
                    .toType(DataType.FLOAT32, false).div(127.5f).sub(1f); // ToTensor + Normalize(0.5, 0.5)
            NDArray noise = m.create(Latents.of(Latents.derive(hyper.seed(), epoch, batch), b.count()),
                    new Shape(b.count(), Latents.DIM));
            DcganStep.Result result = step.run(real, noise);
            average.update(generator, globalStep + 1);
            return result;
        }
    }

    /** Recalibrates G's BN statistics, then serialises G, D, both Adams and the sample grid. */
    public Snapshot snapshot() {
        return NoGrad.call(this::takeSnapshot);
    }

    private Snapshot takeSnapshot() {
        finiteStates(); // what training left, checked before the recalibration's seconds of work; then again after
        long calibration = Latents.derive(hyper.seed(), epochsDone, 0xCA1);
        Dcgan.recalibrate(generator, calibrationBatches, CALIBRATION_BATCH, calibration, root);
        Dcgan.recalibrate(average.net(), calibrationBatches, CALIBRATION_BATCH, calibration, root);
        Map<String, String> meta = Map.of("format", "pt", "epoch", String.valueOf(epochsDone));
        FiniteStates.Checked states = finiteStates();
        float[] latents = Latents.of(hyper.seed(), SAMPLE_LATENTS);
        float[] samples = generate(latents, SAMPLE_LATENTS);
        float[] samplesEma = generateAverage(latents, SAMPLE_LATENTS);
        return new Snapshot(SafeTensors.write(states.g(), meta), SafeTensors.write(states.d(), meta),
                SafeTensors.write(states.optimizer(), meta), ImageGrid.png(samples, SAMPLE_LATENTS, 64, 8),
                SafeTensors.write(states.ema(), meta), ImageGrid.png(samplesEma, SAMPLE_LATENTS, 64, 8));
    }

    private FiniteStates.Checked finiteStates() {
        return FiniteStates.Checked.of(generator.state(), discriminator.state(), average.net().state(),
                optimizerState(), globalStep);
    }

    /** What resuming needs, without the serving work (BN recalibration, samples) of an epoch checkpoint. */
    private Snapshot resumeState() {
        Map<String, String> meta = Map.of("format", "pt", "epoch", String.valueOf(epochsDone + 1),
                "batch", String.valueOf(batchesDone), "global_step", String.valueOf(globalStep));
        FiniteStates.Checked states = finiteStates();
        return new Snapshot(SafeTensors.write(states.g(), meta), SafeTensors.write(states.d(), meta),
                SafeTensors.write(states.optimizer(), meta), null, SafeTensors.write(states.ema(), meta), null);
    }

    private Map<String, SafeTensor> optimizerState() {
        Map<String, SafeTensor> optimizer = new LinkedHashMap<>();
        optimizer.putAll(optimizerG.state("G."));
        optimizer.putAll(optimizerD.state("D."));
        optimizer.put("progress.epoch", SafeTensor.i64(new long[] {epochsDone}, new long[0]));
        optimizer.put("progress.global_step", SafeTensor.i64(new long[] {globalStep}, new long[0]));
        optimizer.put("progress.batch", SafeTensor.i64(new long[] {batchesDone}, new long[0]));
        optimizer.put("rng.seed", SafeTensor.i64(new long[] {hyper.seed()}, new long[0]));
        return optimizer;
    }

    /** Eval-mode G on the given latents; pixels NCHW in [-1, 1]. */
    public float[] generate(float[] latents, int count) {
        return Evaluation.generate(generator, latents, count, root);
    }

    /** As {@link #generate(float[], int)}, with G_ema. */
    public float[] generateAverage(float[] latents, int count) {
        return Evaluation.generate(average.net(), latents, count, root);
    }

    @Override
    public void close() {
        root.close();
    }
}
