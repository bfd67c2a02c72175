package dev.faces.trainer.runs;

import dev.faces.trainer.gan.TrainingListener;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Flags the failure mode of pytorch/examples issue 822: D wins outright (its loss near 0) while G's loss
 * keeps climbing, after which G rarely recovers. Judged over the last few logged points, not one step.
 */
public final class DivergenceAlarm implements TrainingListener {
    static final int WINDOW = 5;
    static final double D_LOSS_NEAR_ZERO = 0.05;
    static final double G_LOSS_HIGH = 5.0;

    private final Deque<float[]> points = new ArrayDeque<>();
    private volatile String reason;

    @Override
    public void onStep(StepInfo s) {
        if (s.globalStep() % TrainingLog.EVERY != 0) {
            return;
        }
        points.addLast(new float[] {s.result().lossD(), s.result().lossG()});
        if (points.size() > WINDOW) {
            points.removeFirst();
        }
        if (reason == null && points.size() == WINDOW) {
            double meanD = points.stream().mapToDouble(p -> p[0]).average().orElse(1);
            float firstG = points.getFirst()[1];
            float lastG = points.getLast()[1];
            if (meanD < D_LOSS_NEAR_ZERO && lastG > G_LOSS_HIGH && lastG > firstG) {
                reason = String.format("diverging at step %d: Loss_D near 0 (mean %.4f over the last %d logged steps) while"
                        + " Loss_G climbs (%.2f -> %.2f)", s.globalStep(), meanD, WINDOW, firstG, lastG);
            }
        }
    }

    public boolean isDiverging() {
        return reason != null;
    }

    public String reason() {
        return reason;
    }
}
