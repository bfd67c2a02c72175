package dev.faces.trainer;

import dev.faces.trainer.gan.TrainingListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/** Training progress as Prometheus metrics: losses, D outputs, rate and steps of the run in training. */
@Singleton
public class TrainerMetrics implements TrainingListener {
    private volatile StepInfo last;
    private volatile double swd = Double.NaN;
    private final Counter steps;
    private final Counter epochs;
    private final MeterRegistry registry;

    public TrainerMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("faces.trainer.loss.d", this, m -> m.last == null ? Double.NaN : m.last.result().lossD())
                .description("Loss_D of the last step").register(registry);
        Gauge.builder("faces.trainer.loss.g", this, m -> m.last == null ? Double.NaN : m.last.result().lossG())
                .description("Loss_G of the last step").register(registry);
        Gauge.builder("faces.trainer.d.x", this, m -> m.last == null ? Double.NaN : m.last.result().dx())
                .description("D(x) of the last step").register(registry);
        Gauge.builder("faces.trainer.d.gz", this, m -> m.last == null ? Double.NaN : m.last.result().dgz2())
                .description("D(G(z)) after the D step, last step").register(registry);
        Gauge.builder("faces.trainer.images.per.second", this, m -> m.last == null ? 0 : m.last.imagesPerSecond())
                .description("Training rate over the current epoch").register(registry);
        Gauge.builder("faces.trainer.swd", this, m -> m.swd).description("SWD x1e3 at the last checkpoint")
                .register(registry);
        Gauge.builder("faces.trainer.epoch", this, m -> m.last == null ? Double.NaN : m.last.epoch())
                .description("Epoch of the run in training (1-based)").register(registry);
        Gauge.builder("faces.trainer.epochs.planned", this, m -> m.last == null ? Double.NaN : m.last.epochs())
                .description("Epochs the run in training asked for").register(registry);
        Gauge.builder("faces.trainer.eta.seconds", this,
                        m -> m.last == null ? Double.NaN : dev.faces.trainer.runs.RunProgress.etaSeconds(m.last))
                .description("Seconds until the run in training ends, at its current rate").register(registry);
        steps = Counter.builder("faces.trainer.steps").description("Training steps taken").register(registry);
        epochs = Counter.builder("faces.trainer.epochs").description("Epochs completed").register(registry);
    }

    /** {@code faces_trainer_device_info{device="cpu()"} 1}: which device this replica trains on. */
    public void device(String device) {
        Gauge.builder("faces.trainer.device.info", () -> 1).tag("device", device)
                .description("The device this replica trains on (value 1)").register(registry);
    }

    @Override
    public void onStep(StepInfo step) {
        last = step;
        steps.increment();
    }

    @Override
    public void onEpoch(EpochInfo epoch) {
        swd = epoch.swd();
        epochs.increment();
    }
}
