package dev.faces.trainer.runs;

/**
 * A write into a run was refused because a newer owner holds it (or this trainer lost its partition): the run
 * stops here, and this trainer writes nothing more into it. Not a failure of the run, which its owner goes on with.
 */
public final class FencedException extends RuntimeException {
    public FencedException(String message) {
        super(message);
    }
}
