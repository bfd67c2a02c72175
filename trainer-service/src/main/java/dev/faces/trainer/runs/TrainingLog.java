package dev.faces.trainer.runs;

import dev.faces.trainer.gan.DcganStep;
import dev.faces.trainer.gan.TrainingListener;
import java.util.logging.Logger;

/** The tutorial's console lines, with rate and ETA: every 50 steps and at every epoch's end. */
public final class TrainingLog implements TrainingListener {
    public static final int EVERY = 50;
    private static final Logger LOG = Logger.getLogger(TrainingLog.class.getName());
    private final RunProgress progress;

    public TrainingLog(RunProgress progress) {
        this.progress = progress;
    }

    @Override
    public void onStep(StepInfo s) {
        if (s.globalStep() % EVERY == 0 || s.batch() == 1 || s.batch() == s.batchesPerEpoch()) {
            DcganStep.Result r = s.result();
            LOG.info(String.format("run %s [%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f"
                            + "  %.1f img/s  ETA %s", progress.runId(), s.epoch(), s.epochs(), s.batch(), s.batchesPerEpoch(),
                    r.lossD(), r.lossG(), r.dx(), r.dgz1(), r.dgz2(), s.imagesPerSecond(),
                    RunProgress.formatDuration(progress.etaSeconds())));
        }
    }

    @Override
    public void onEpoch(EpochInfo e) {
        LOG.info(String.format("run %s epoch %d/%d done: %.1f img/s, SWD x1e3 %.2f (real-vs-real floor %.2f)",
                progress.runId(), e.epoch(), e.epochs(), e.imagesPerSecond(), e.swd(), e.swdFloor()));
    }
}
