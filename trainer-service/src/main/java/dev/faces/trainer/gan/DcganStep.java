package dev.faces.trainer.gan;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

/**
 * One iteration of the tutorial's training loop, in its five steps:
 * (1) D on a real batch, label 1; (2) D on G(z) detached, label 0; (3) step D;
 * (4) D on G(z), label 1, loss into G; (5) step G.
 */
public final class DcganStep {
    private final Net generator;
    private final Net discriminator;
    private final Adam optimizerG;
    private final Adam optimizerD;

    public DcganStep(Net generator, Net discriminator, Adam optimizerG, Adam optimizerD) {
        this.generator = generator;
        this.discriminator = discriminator;
        this.optimizerG = optimizerG;
        this.optimizerD = optimizerD;
    }

    /** What the tutorial prints: Loss_D, Loss_G, D(x), D(G(z)) before / after the D step. */
    public record Result(float lossD, float lossG, float dx, float dgz1, float dgz2) {
        public boolean isFinite() {
            return Float.isFinite(lossD) && Float.isFinite(lossG);
        }
    }

    /**
     * @param real  images [N, 3, 64, 64] in [-1, 1], in a manager this step may fill and the caller closes
     * @param noise latents [N, 100] in the same manager
     */
    public Result run(NDArray real, NDArray noise) {
        NDManager step = real.getManager();
        Engine engine = Engine.getInstance();
        float lossD;
        float dx;
        float dgz1;
        NDArray fake;
        try (GradientCollector collector = engine.newGradientCollector()) {
            discriminator.zeroGrad(); // the G step of the previous iteration left gradients on D
            NDArray outReal = Dcgan.discriminate(discriminator, real, Dcgan.Mode.TRAIN, step);
            NDArray errReal = Dcgan.bce(outReal, 1f);
            fake = Dcgan.generate(generator, noise, Dcgan.Mode.TRAIN, step);
            NDArray outFake = Dcgan.discriminate(discriminator, fake.stopGradient(), Dcgan.Mode.TRAIN, step);
            NDArray errFake = Dcgan.bce(outFake, 0f);
            NDArray errD = errReal.add(errFake);
            collector.backward(errD);
            lossD = errD.getFloat();
            dx = outReal.mean().getFloat();
            dgz1 = outFake.mean().getFloat();
        }
        optimizerD.step();

        float lossG;
        float dgz2;
        try (GradientCollector collector = engine.newGradientCollector()) {
            generator.zeroGrad();
            NDArray out = Dcgan.discriminate(discriminator, fake, Dcgan.Mode.TRAIN, step);
            NDArray errG = Dcgan.bce(out, 1f);
            collector.backward(errG);
            lossG = errG.getFloat();
            dgz2 = out.mean().getFloat();
        }
        optimizerG.step();
        return new Result(lossD, lossG, dx, dgz1, dgz2);
    }
}
