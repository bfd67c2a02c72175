package dev.faces.trainer.gan;

/**
 * A run's training hyper-parameters, the tutorial's names.
 *
 * @param emaDecay decay of G_ema, the moving average of G's weights (StyleGAN's 0.999)
 */
public record HyperParameters(int epochs, int batchSize, double learningRate, double beta1, long seed,
                              double emaDecay) {
    public static final double EMA_DECAY = 0.999;

    public HyperParameters(int epochs, int batchSize, double learningRate, double beta1, long seed) {
        this(epochs, batchSize, learningRate, beta1, seed, EMA_DECAY);
    }
}
