package dev.faces.trainer.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A failed commit never makes the consumer skip the records of the batch that were not handled yet. */
class PartitionCommitsTest {
    private static final TopicPartition TP = new TopicPartition("faces.training-requests", 0);

    @Test
    void aFailedCommitLeavesNoRecordOfTheBatchUnhandled() {
        FailingOnceConsumer consumer = new FailingOnceConsumer();
        consumer.assign(List.of(TP));
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        for (int i = 0; i < 3; i++) {
            consumer.addRecord(new ConsumerRecord<>(TP.topic(), 0, i, "run-" + i, "request " + i));
        }
        List<Long> handled = new ArrayList<>();
        PartitionCommits.handle(consumer, TP, consumer.poll(Duration.ofMillis(10)).records(TP), p -> true,
                r -> handled.add(r.offset()), Duration.ZERO);
        assertThat(consumer.position(TP)).as("back at the first record after the one whose commit failed").isEqualTo(1L);
        // The broker hands out the partition's log again from the position (MockConsumer forgets polled records).
        for (int i = 1; i < 3; i++) {
            consumer.addRecord(new ConsumerRecord<>(TP.topic(), 0, i, "run-" + i, "request " + i));
        }
        ConsumerRecords<String, String> again = consumer.poll(Duration.ofMillis(10));
        PartitionCommits.handle(consumer, TP, again.records(TP), p -> true, r -> handled.add(r.offset()), Duration.ZERO);
        assertThat(handled).as("the commit of offset 0 failed; 1 and 2 are still handled").containsExactly(0L, 1L, 2L);
        assertThat(consumer.committed(java.util.Set.of(TP)).get(TP).offset()).isEqualTo(3L);
    }

    /** Kafka's MockConsumer whose first commit fails, as one does when the group rebalances or the broker is away. */
    private static final class FailingOnceConsumer extends MockConsumer<String, String> {
        private boolean failed;

        FailingOnceConsumer() {
            super(AutoOffsetResetStrategy.EARLIEST.name());
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (!failed) {
                failed = true;
                throw new KafkaException("commit failed: the group is rebalancing");
            }
            super.commitSync(new HashMap<>(offsets));
        }
    }
}
