package dev.faces.trainer.gan;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * PyTorch's {@code torch.no_grad()}. Grad mode is per thread in libtorch and on by default on threads DJL
 * did not initialise, so in-place parameter updates and eval forwards say explicitly that nothing is recorded.
 */
final class NoGrad {
    private NoGrad() {
    }

    static <T> T call(Supplier<T> body) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    static void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }
}
