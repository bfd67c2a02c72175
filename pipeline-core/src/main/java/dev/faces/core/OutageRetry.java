package dev.faces.core;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Runs an action until it succeeds while it fails only because a server it needs is away (Kafka, S3): an outage is
 * nobody's fault, so work waits it out in the same process instead of failing for good. Waits grow from
 * {@code first} to {@code max}; every wait is reported, so that logs and progress APIs can say what is waited for.
 * Any other failure passes through at once. Interrupting the thread ends the waiting.
 */
public final class OutageRetry {
    /** An action that may also fail with a checked exception, which passes through. */
    public interface Action<T, E extends Exception> {
        T get() throws E;
    }

    /** Told before each wait: the attempt that failed, how long until the next one, and why. */
    public interface Waiting {
        void waiting(int attempt, Duration next, RuntimeException cause);
    }

    private final Predicate<RuntimeException> isOutage;
    private final Duration first;
    private final Duration max;
    private final Waiting waiting;

    public OutageRetry(Predicate<RuntimeException> isOutage, Duration first, Duration max, Waiting waiting) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, was " + first + " and " + max);
        }
        this.isOutage = isOutage;
        this.first = first;
        this.max = max;
        this.waiting = waiting;
    }

    public <T, E extends Exception> T call(Action<T, E> action) throws E, InterruptedException {
        Duration next = first;
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                if (!isOutage.test(e) || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                waiting.waiting(attempt, next, e);
                Thread.sleep(next.toMillis());
                next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
            }
        }
    }

    /** An action with no result. */
    public interface VoidAction<E extends Exception> {
        void run() throws E;
    }

    public <E extends Exception> void run(VoidAction<E> action) throws E, InterruptedException {
        this.<Void, E>call(() -> {
            action.run();
            return null;
        });
    }
}
