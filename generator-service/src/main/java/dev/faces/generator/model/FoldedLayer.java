package dev.faces.generator.model;

/**
 * One ConvTranspose2d(k4) with eval-mode BatchNorm folded in, its weights in both layouts: [out*16, in] rows for
 * products over many positions, and PyTorch's [in, out*16] for products over few (one face), where the long
 * dimension must be the inner loop to vectorise. A bias per output channel; {@code last} is the tanh layer.
 */
record FoldedLayer(int in, int out, int stride, int padding, float[] weights, float[] weightsByInput, float[] bias,
                   boolean last) {
}
