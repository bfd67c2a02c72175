package dev.faces.generator.model;

import dev.faces.core.DcganLayers;
import dev.faces.core.tensor.SafeTensor;
import java.util.Map;

/** The generator computed straight from the definitions, slowly, for one latent: the test oracle. */
final class Reference {
    private Reference() {
    }

    static float[] forward(Map<String, SafeTensor> state, float[] z) {
        float[] x = z.clone();
        int channels = DcganLayers.NZ;
        int size = 1;
        for (DcganLayers.Layer l : DcganLayers.GENERATOR) {
            switch (l.kind()) {
                case CONV_TRANSPOSE -> {
                    float[] w = state.get(l.prefix() + "weight").floats();
                    int out = (size - 1) * l.stride() - 2 * l.padding() + 4;
                    float[] y = new float[l.out() * out * out];
                    for (int ci = 0; ci < l.in(); ci++) {
                        for (int co = 0; co < l.out(); co++) {
                            for (int iy = 0; iy < size; iy++) {
                                for (int ix = 0; ix < size; ix++) {
                                    float v = x[(ci * size + iy) * size + ix];
                                    for (int ky = 0; ky < 4; ky++) {
                                        for (int kx = 0; kx < 4; kx++) {
                                            int oy = iy * l.stride() - l.padding() + ky;
                                            int ox = ix * l.stride() - l.padding() + kx;
                                            if (oy >= 0 && ox >= 0 && oy < out && ox < out) {
                                                y[(co * out + oy) * out + ox] += v * w[((ci * l.out() + co) * 4 + ky) * 4 + kx];
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    x = y;
                    channels = l.out();
                    size = out;
                }
                case BATCH_NORM -> {
                    float[] g = state.get(l.prefix() + "weight").floats();
                    float[] b = state.get(l.prefix() + "bias").floats();
                    float[] m = state.get(l.prefix() + "running_mean").floats();
                    float[] v = state.get(l.prefix() + "running_var").floats();
                    for (int c = 0; c < channels; c++) {
                        for (int p = 0; p < size * size; p++) {
                            int i = c * size * size + p;
                            x[i] = (float) ((x[i] - m[c]) / Math.sqrt(v[c] + 1e-5) * g[c] + b[c]);
                        }
                    }
                }
                case RELU -> {
                    for (int i = 0; i < x.length; i++) {
                        x[i] = Math.max(0, x[i]);
                    }
                }
                case TANH -> {
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) Math.tanh(x[i]);
                    }
                }
                default -> throw new IllegalStateException(l.kind().toString());
            }
        }
        return x;
    }
}
