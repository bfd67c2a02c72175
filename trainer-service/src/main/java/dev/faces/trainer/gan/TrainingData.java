package dev.faces.trainer.gan;

import dev.faces.trainer.data.BatchFeeder;

/** Where the data comes from, epoch by epoch. */
public interface TrainingData {
    int batchesPerEpoch();

    BatchFeeder open(int epoch, int skipBatches);

    /** Real images kept out of training, for SWD; may be empty. */
    BatchFeeder.Batch heldBack();

    /** The run's real-vs-real SWD floor on sets of the held-back size (measured once per run); NaN if none. */
    double swdFloor();
}
