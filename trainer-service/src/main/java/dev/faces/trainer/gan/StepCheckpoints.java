package dev.faces.trainer.gan;

/**
 * Where mid-epoch resume state goes: every {@code every} steps (0: never), and whenever the loop is asked to
 * stop after training steps that no checkpoint holds yet (a shutdown, a lost lease), so no step is lost.
 */
public interface StepCheckpoints {
    int every();

    void save(int epoch, int batchesDone, TrainingLoop.Snapshot state);

    StepCheckpoints NONE = new StepCheckpoints() {
        @Override
        public int every() {
            return 0;
        }

        @Override
        public void save(int epoch, int batchesDone, TrainingLoop.Snapshot state) {
        }
    };
}
