package dev.faces.trainer.gan;

/** Training concerns (logging, metrics, checkpoints) hang around the plain loop as listeners. */
public interface TrainingListener {

    /** After every step. {@code imagesPerSecond} is the rate over the epoch so far. */
    record StepInfo(int epoch, int epochs, int batch, int batchesPerEpoch, int batchImages, long globalStep,
                    DcganStep.Result result, double imagesPerSecond) {
    }

    /** After every epoch, with everything a checkpoint holds. */
    record EpochInfo(int epoch, int epochs, long globalStep, DcganStep.Result last, double imagesPerSecond,
                     double swd, double swdFloor, TrainingLoop.Snapshot snapshot, double swdEma) {
        public EpochInfo(int epoch, int epochs, long globalStep, DcganStep.Result last, double imagesPerSecond,
                         double swd, double swdFloor, TrainingLoop.Snapshot snapshot) {
            this(epoch, epochs, globalStep, last, imagesPerSecond, swd, swdFloor, snapshot, Double.NaN);
        }
    }

    default void onStep(StepInfo step) {
    }

    /** Throwing here stops the run: a checkpoint that cannot be written must not be skipped silently. */
    default void onEpoch(EpochInfo epoch) {
    }
}
