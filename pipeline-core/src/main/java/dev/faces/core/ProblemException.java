package dev.faces.core;

/** Thrown by a service's REST resources; each service renders it as problem+json with its status. */
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
