package dev.faces.trainer.api;

import dev.faces.core.Problem;

/** Thrown by resources; rendered as problem+json with its status. */
public class ProblemException extends RuntimeException {
    private final Problem problem;

    public ProblemException(int status, String title, String detail) {
        super(detail);
        this.problem = Problem.of(status, title, detail);
    }

    public Problem problem() {
        return problem;
    }
}
