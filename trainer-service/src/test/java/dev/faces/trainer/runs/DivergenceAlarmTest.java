package dev.faces.trainer.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.trainer.gan.DcganStep;
import dev.faces.trainer.gan.TrainingListener.StepInfo;
import org.junit.jupiter.api.Test;

class DivergenceAlarmTest {

    private static void feed(DivergenceAlarm alarm, float[][] losses) {
        long step = 0;
        for (float[] l : losses) {
            for (int i = 0; i < TrainingLog.EVERY; i++) {
                step++;
                alarm.onStep(new StepInfo(1, 5, (int) step, 1000, 128, step,
                        new DcganStep.Result(l[0], l[1], 0.99f, 0.01f, 0.01f), 100));
            }
        }
    }

    @Test
    void flagsDNearZeroWhileGClimbs() {
        DivergenceAlarm alarm = new DivergenceAlarm();
        feed(alarm, new float[][] {{0.03f, 6f}, {0.02f, 7f}, {0.01f, 8f}, {0.01f, 9f}, {0.005f, 10f}});
        assertThat(alarm.isDiverging()).isTrue();
        assertThat(alarm.reason()).startsWith("diverging at step 250: Loss_D near 0").contains("6.00 -> 10.00");
    }

    @Test
    void aHealthyOrRecoveringRunIsNotFlagged() {
        DivergenceAlarm healthy = new DivergenceAlarm();
        feed(healthy, new float[][] {{0.8f, 2f}, {0.6f, 3f}, {0.7f, 2.5f}, {0.5f, 3.5f}, {0.6f, 2.8f}});
        assertThat(healthy.isDiverging()).isFalse();
        DivergenceAlarm falling = new DivergenceAlarm();
        feed(falling, new float[][] {{0.01f, 9f}, {0.01f, 8f}, {0.01f, 7f}, {0.01f, 6.5f}, {0.01f, 6f}});
        assertThat(falling.isDiverging()).isFalse();
    }
}
