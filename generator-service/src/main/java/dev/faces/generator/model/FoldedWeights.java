package dev.faces.generator.model;

import dev.faces.core.DcganLayers;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.core.tensor.TensorFormatException;
import java.util.Arrays;

/**
 * A generator state_dict (the tutorial's names) turned into the layers {@link GeneratorModel} runs. Every tensor
 * must be present with the tutorial's shape for its width (ngf, read from the first weight), and finite.
 * Eval-mode BatchNorm is folded into each transposed convolution: {@code w' = w * s}, {@code b = beta - mean * s}
 * with {@code s = gamma / sqrt(var + eps)}.
 */
final class FoldedWeights {
    private static final float BN_EPS = 1e-5f;

    private FoldedWeights() {
    }

    static FoldedLayer[] fold(SafeTensors.Contents state) {
        SafeTensor first = state.require("main.0.weight");
        long[] shape = first.shape();
        if (shape.length != 4 || shape[0] != DcganLayers.NZ || shape[1] % 8 != 0) {
            throw new TensorFormatException("main.0.weight is " + Arrays.toString(shape)
                    + ", expected [100, 8*ngf, 4, 4] (ngf 64 in the tutorial)");
        }
        int ngf = (int) (shape[1] / 8);
        var table = DcganLayers.generator(ngf);
        for (DcganLayers.TensorSpec spec : DcganLayers.stateDict(table)) {
            SafeTensor t = state.require(spec.name());
            if (!Arrays.equals(t.shape(), spec.shape()) || t.dtype() != spec.dtype()) {
                throw new TensorFormatException("tensor '" + spec.name() + "' is " + t.dtype() + " "
                        + Arrays.toString(t.shape()) + ", expected " + spec.dtype() + " " + Arrays.toString(spec.shape()));
            }
            if (t.dtype() == SafeTensor.DType.F32) {
                for (float v : t.floats()) {
                    if (!Float.isFinite(v)) {
                        throw new TensorFormatException("tensor '" + spec.name() + "' holds NaN or infinite values");
                    }
                }
            }
        }
        FoldedLayer[] layers = new FoldedLayer[5];
        int li = 0;
        for (int i = 0; i < table.size(); i++) {
            DcganLayers.Layer l = table.get(i);
            if (l.kind() != DcganLayers.Kind.CONV_TRANSPOSE) {
                continue;
            }
            boolean last = i + 1 < table.size() && table.get(i + 1).kind() == DcganLayers.Kind.TANH;
            float[] w = state.require(l.prefix() + "weight").floats(); // [in, out, 4, 4]
            float[] scale = new float[l.out()];
            float[] bias = new float[l.out()];
            Arrays.fill(scale, 1f);
            if (!last) {
                String bn = "main." + (l.index() + 1) + ".";
                float[] gamma = state.require(bn + "weight").floats();
                float[] beta = state.require(bn + "bias").floats();
                float[] mean = state.require(bn + "running_mean").floats();
                float[] var = state.require(bn + "running_var").floats();
                for (int c = 0; c < l.out(); c++) {
                    scale[c] = (float) (gamma[c] / Math.sqrt(var[c] + BN_EPS));
                    bias[c] = beta[c] - mean[c] * scale[c];
                }
            }
            // Transpose to [out*16, in] so the product runs along contiguous rows of the activations.
            float[] rows = new float[l.out() * 16 * l.in()];
            float[] byInput = new float[l.in() * l.out() * 16];
            for (int ci = 0; ci < l.in(); ci++) {
                for (int co = 0; co < l.out(); co++) {
                    for (int t = 0; t < 16; t++) {
                        float v = w[(ci * l.out() + co) * 16 + t] * scale[co];
                        rows[(co * 16 + t) * l.in() + ci] = v;
                        byInput[ci * l.out() * 16 + co * 16 + t] = v;
                    }
                }
            }
            layers[li++] = new FoldedLayer(l.in(), l.out(), l.stride(), l.padding(), rows, byInput, bias, last);
        }
        return layers;
    }
}
