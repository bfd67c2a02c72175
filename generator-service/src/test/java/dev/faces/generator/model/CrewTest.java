package dev.faces.generator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CrewTest {

    @Test
    void everyTaskOfEveryStageRunsOnceAndAStageEndsOnlyWhenItsTasksHave() {
        ForkJoinPool pool = new ForkJoinPool(2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (Crew crew = new Crew(pool)) {
            for (int stage = 0; stage < 50; stage++) {
                int tasks = 1 + stage % 17;
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                crew.run(tasks, t -> {
                    threads.add(Thread.currentThread().getName());
                    busy(20_000);
                    runs.incrementAndGet(t);
                });
                for (int t = 0; t < tasks; t++) {
                    assertThat(runs.get(t)).as("stage %d task %d", stage, t).isEqualTo(1);
                }
            }
        }
        assertThat(threads).as("the caller and one worker").hasSize(2);
        pool.shutdown();
    }

    @Test
    void aFailingTaskFailsItsStageAfterTheOthersAndTheCrewStillCloses() {
        ForkJoinPool pool = new ForkJoinPool(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        Crew crew = new Crew(pool);
        assertThatThrownBy(() -> crew.run(8, t -> {
            runs.incrementAndGet(t);
            if (t == 3) {
                throw new IllegalStateException("task 3");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("task 3");
        for (int t = 0; t < 8; t++) {
            assertThat(runs.get(t)).isEqualTo(1);
        }
        crew.run(2, t -> runs.incrementAndGet(t)); // usable after a failed stage
        crew.close();
        assertThat(runs.get(0)).isEqualTo(2);
        pool.shutdown();
    }

    @Test
    void withoutAPoolTheCallerRunsEverything() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (Crew crew = new Crew(null)) {
            crew.run(5, t -> threads.add(Thread.currentThread().getName()));
        }
        assertThat(threads).containsExactly(Thread.currentThread().getName());
    }

    private static void busy(int iterations) {
        double x = 0;
        for (int i = 0; i < iterations; i++) {
            x += Math.sqrt(i);
        }
        if (x < 0) {
            throw new AssertionError();
        }
    }
}
