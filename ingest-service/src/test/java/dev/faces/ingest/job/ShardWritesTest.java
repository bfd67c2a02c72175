package dev.faces.ingest.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.EventCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ShardWritesTest {

    @Test
    void writesOverlapButEventsAndEntriesFollowTheIndexOrder() throws Exception {
        List<ObjectNode> done = new ArrayList<>();
        List<Integer> announced = Collections.synchronizedList(new ArrayList<>());
        Set<Integer> writingAtOnce = ConcurrentHashMap.newKeySet();
        int[] mostAtOnce = {0};
        try (ShardWrites writes = new ShardWrites(done, w -> announced.add(w.batch().shardIndex()))) {
            for (int i = 0; i < 8; i++) {
                writes.submit(index -> {
                    writingAtOnce.add(index);
                    synchronized (mostAtOnce) {
                        mostAtOnce[0] = Math.max(mostAtOnce[0], writingAtOnce.size());
                    }
                    sleep(index % 2 == 0 ? 60 : 5); // even shards finish after the odd one behind them
                    writingAtOnce.remove(index);
                    return written(index);
                });
            }
            writes.drain();
        }
        assertThat(announced).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(done).extracting(e -> e.path("index").asInt()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(mostAtOnce[0]).as("shards written at once").isEqualTo(ShardWrites.WRITERS);
    }

    @Test
    void aFailedWriteFailsTheJobAndNothingAfterItIsAnnounced() throws Exception {
        List<Integer> announced = Collections.synchronizedList(new ArrayList<>());
        try (ShardWrites writes = new ShardWrites(new ArrayList<>(), w -> announced.add(w.batch().shardIndex()))) {
            writes.submit(ShardWritesTest::written);
            writes.submit(index -> {
                sleep(30);
                throw new IllegalStateException("put s3://faces-datasets/shard-1 failed");
            });
            writes.submit(ShardWritesTest::written);
            assertThatThrownBy(writes::drain).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shard-1 failed");
        }
        assertThat(announced).containsExactly(0);
    }

    private static ShardWrites.Written written(int index) {
        ObjectNode entry = EventCodec.json().createObjectNode();
        entry.put("index", index);
        return new ShardWrites.Written(new DatasetBatch("d", index, "k" + index, 1, 64, "0".repeat(64), 1L), entry);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
