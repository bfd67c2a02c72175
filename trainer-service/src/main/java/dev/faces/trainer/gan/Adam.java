package dev.faces.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.faces.core.tensor.SafeTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.Adam (no weight decay, no amsgrad) over one network's parameters, with its moments exposed
 * so a checkpoint can hold them and a resumed run continues exactly. Updates happen in place, outside any
 * gradient recording, and every temporary is closed at once so nothing accumulates.
 */
public final class Adam {
    private final Net net;
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private long step;

    public Adam(Net net, double lr, double beta1, double beta2, double eps) {
        this.net = net;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        NDManager manager = net.manager();
        for (NDArray p : net.parameters()) {
            m.add(manager.zeros(p.getShape()));
            v.add(manager.zeros(p.getShape()));
        }
    }

    /** The tutorial's optimiser: lr, betas (beta1, 0.999), eps 1e-8. */
    public static Adam tutorial(Net net, double lr, double beta1) {
        return new Adam(net, lr, beta1, 0.999, 1e-8);
    }

    public void step() {
        NoGrad.run(this::update);
    }

    private void update() {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bias1;
        List<NDArray> params = net.parameters();
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            try (NDArray g = p.getGradient();
                 NDArray g1 = g.mul(1 - beta1);
                 NDArray g2 = g.square().muli(1 - beta2)) {
                m.get(i).muli(beta1).addi(g1);
                v.get(i).muli(beta2).addi(g2);
            }
            try (NDArray denom = v.get(i).sqrt().divi(bias2Sqrt).addi(eps);
                 NDArray update = m.get(i).div(denom).muli(stepSize)) {
                p.subi(update);
            }
        }
    }

    public long steps() {
        return step;
    }

    /** Moments as {@code <prefix>exp_avg.<param>} / {@code exp_avg_sq} tensors plus the step counter. */
    public Map<String, SafeTensor> state(String prefix) {
        Map<String, SafeTensor> out = new LinkedHashMap<>();
        List<String> names = net.parameterNames();
        for (int i = 0; i < names.size(); i++) {
            long[] shape = m.get(i).getShape().getShape();
            out.put(prefix + "exp_avg." + names.get(i), SafeTensor.f32(m.get(i).toFloatArray(), shape));
            out.put(prefix + "exp_avg_sq." + names.get(i), SafeTensor.f32(v.get(i).toFloatArray(), shape));
        }
        out.put(prefix + "step", SafeTensor.i64(new long[] {step}, new long[0]));
        return out;
    }

    public void load(String prefix, Map<String, SafeTensor> state) {
        List<String> names = net.parameterNames();
        for (int i = 0; i < names.size(); i++) {
            m.get(i).set(require(state, prefix + "exp_avg." + names.get(i)).floats());
            v.get(i).set(require(state, prefix + "exp_avg_sq." + names.get(i)).floats());
        }
        step = require(state, prefix + "step").longs()[0];
    }

    private static SafeTensor require(Map<String, SafeTensor> state, String name) {
        SafeTensor t = state.get(name);
        if (t == null) {
            throw new IllegalArgumentException("optimizer state has no tensor " + name);
        }
        return t;
    }
}
