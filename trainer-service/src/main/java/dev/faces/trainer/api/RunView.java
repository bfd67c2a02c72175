package dev.faces.trainer.api;

import dev.faces.core.events.TrainingRequested;
import dev.faces.trainer.gan.TrainingListener;
import dev.faces.trainer.runs.RunProgress;
import dev.faces.trainer.runs.RunRecord;
import java.time.Instant;

/** A run as the API shows it: the stored record plus live progress while it trains. */
public record RunView(String runId, String datasetId, RunRecord.Status status, int epoch, int epochs, int epochsDone,
                      Integer batch, Integer batchesPerEpoch, long step, Float lossD, Float lossG, Float dx, Float dgz1,
                      Float dgz2, Double imagesPerSecond, Long etaSeconds, String eta, Double swd, Double swdFloor,
                      boolean diverging, String reason, String lastCheckpointKey, TrainingRequested request,
                      String device, Instant createdAt, Instant updatedAt) {

    public static RunView of(RunRecord r, RunProgress progress) {
        TrainingListener.StepInfo s = progress == null ? null : progress.last();
        int epoch = s != null ? s.epoch() : r.epochsDone();
        long eta = progress == null ? -1 : progress.etaSeconds();
        return new RunView(r.runId(), r.request().datasetId(), r.status(), epoch, r.request().epochs(), r.epochsDone(),
                s == null ? null : s.batch(), s == null ? null : s.batchesPerEpoch(), s != null ? s.globalStep() : r.step(),
                s == null ? null : s.result().lossD(), s == null ? null : s.result().lossG(),
                s == null ? null : s.result().dx(), s == null ? null : s.result().dgz1(),
                s == null ? null : s.result().dgz2(), s == null ? null : round(s.imagesPerSecond()),
                eta >= 0 ? eta : null, eta >= 0 ? RunProgress.formatDuration(eta) : null,
                progress == null ? null : finite(progress.swd()), progress == null ? null : finite(progress.swdFloor()),
                r.diverging(), r.reason(), r.lastCheckpointKey(), r.request(), r.device(), r.createdAt(),
                r.updatedAt());
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? round(v) : null;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
