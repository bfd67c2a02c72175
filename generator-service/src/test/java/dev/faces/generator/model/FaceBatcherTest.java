package dev.faces.generator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.Latents;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.stack.SampleCheckpoints;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The batcher's worker outlives an Error in a batch, and a request past its deadline is not drawn. */
class FaceBatcherTest {

    @Test
    void anErrorFailsOnlyItsBatchAndTheWorkerGoesOn() throws Exception {
        LoadedModel model = new LoadedModel("r", 1, "sha", GeneratorModel.load(SafeTensors.read(
                SampleCheckpoints.generator(1))), Instant.now());
        AtomicInteger calls = new AtomicInteger();
        try (FaceBatcher batcher = new FaceBatcher(() -> {
            if (calls.getAndIncrement() == 0) {
                throw new StackOverflowError("simulated");
            }
            return model;
        }, 64, 100, 256, 1)) {
            assertThatThrownBy(() -> batcher.submit(Latents.of(1, 1), 1).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(FaceBatcher.DrawFailedException.class)
                    .hasMessageContaining("StackOverflowError");
            assertThat(batcher.isRunning()).isTrue();
            assertThat(batcher.submit(Latents.of(2, 1), 1).get(10, TimeUnit.SECONDS).pixels()).hasSize(3 * 64 * 64);
        }
    }

    @Test
    void aRequestPastItsDeadlineIsNotDrawn() throws Exception {
        AtomicInteger draws = new AtomicInteger();
        try (FaceBatcher batcher = new FaceBatcher(() -> {
            draws.incrementAndGet();
            return null;
        }, 64, 100, 256, 1)) {
            assertThatThrownBy(() -> batcher.submit(Latents.of(1, 1), 1, System.nanoTime() - 1).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(FaceBatcher.DeadlineException.class);
            assertThat(draws.get()).as("no forward pass for an expired request").isZero();
        }
    }
}
