package dev.faces.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutageRetryTest {
    static final class Away extends RuntimeException {
        Away() {
            super("server away");
        }
    }

    private final List<Duration> waits = new ArrayList<>();
    private final OutageRetry retry = new OutageRetry(Away.class::isInstance, Duration.ofMillis(1), Duration.ofMillis(4),
            (attempt, next, cause) -> waits.add(next));

    @Test
    void anOutageIsWaitedOutWithGrowingWaitsUpToTheCap() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        String result = retry.call(() -> {
            if (calls.incrementAndGet() <= 4) {
                throw new Away();
            }
            return "delivered";
        });
        assertThat(result).isEqualTo("delivered");
        assertThat(calls).hasValue(5);
        assertThat(waits).containsExactly(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(4),
                Duration.ofMillis(4));
    }

    @Test
    void anyOtherFailurePassesThroughAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.run(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("a bad record");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(calls).hasValue(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void anInterruptEndsTheWaiting() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> retry.run(() -> {
                throw new Away();
            })).isInstanceOf(Away.class);
        } finally {
            Thread.interrupted();
        }
    }
}
