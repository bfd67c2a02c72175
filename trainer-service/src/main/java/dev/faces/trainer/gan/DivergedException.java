package dev.faces.trainer.gan;

/** A non-finite loss or state: the run has diverged, and nothing from this state may be published. */
public final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
