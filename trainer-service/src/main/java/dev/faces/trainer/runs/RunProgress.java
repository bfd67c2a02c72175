package dev.faces.trainer.runs;

import dev.faces.trainer.gan.TrainingListener;

/** The live state of the run in training, for the API, the log and Prometheus. */
public final class RunProgress implements TrainingListener {
    private final String runId;
    private volatile StepInfo last;
    private volatile double swd = Double.NaN;
    private volatile double swdFloor = Double.NaN;

    public RunProgress(String runId) {
        this.runId = runId;
    }

    @Override
    public void onStep(StepInfo step) {
        last = step;
    }

    @Override
    public void onEpoch(EpochInfo epoch) {
        swd = epoch.swd();
        swdFloor = epoch.swdFloor();
    }

    public String runId() {
        return runId;
    }

    public StepInfo last() {
        return last;
    }

    public double swd() {
        return swd;
    }

    public double swdFloor() {
        return swdFloor;
    }

    /** Seconds left at the current rate, or -1 before the first step. */
    public long etaSeconds() {
        return etaSeconds(last);
    }

    /** Seconds left of a run after this step, at its rate, or -1 when there is no rate yet. */
    public static long etaSeconds(StepInfo s) {
        if (s == null || s.imagesPerSecond() <= 0) {
            return -1;
        }
        long remainingBatches = (long) (s.epochs() - s.epoch()) * s.batchesPerEpoch() + (s.batchesPerEpoch() - s.batch());
        return Math.round(remainingBatches * s.batchImages() / s.imagesPerSecond());
    }

    public static String formatDuration(long seconds) {
        if (seconds < 0) {
            return "?";
        }
        return seconds >= 3600 ? String.format("%dh%02dm", seconds / 3600, seconds / 60 % 60)
                : String.format("%dm%02ds", seconds / 60, seconds % 60);
    }
}
