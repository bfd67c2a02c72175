package dev.faces.trainer.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * One partition's polled records, handled and committed one by one. Whatever stops the batch early (a failed
 * handling or a failed commit) moves the consumer back to the first record not yet handled, so no record of the
 * batch is skipped and no later commit moves past one. Handling is idempotent, so a record handled twice is fine.
 */
final class PartitionCommits {
    private static final Logger LOG = Logger.getLogger(PartitionCommits.class.getName());

    private PartitionCommits() {
    }

    static <K, V> void handle(Consumer<K, V> consumer, TopicPartition tp, List<ConsumerRecord<K, V>> records,
                              IntPredicate owned, java.util.function.Consumer<ConsumerRecord<K, V>> handler,
                              Duration retry) {
        for (ConsumerRecord<K, V> record : records) {
            if (!owned.test(tp.partition())) {
                return; // revoked meanwhile: the next owner reads from the committed offset
            }
            try {
                handler.accept(record);
            } catch (RuntimeException e) { // S3 or Kafka away: the request stays uncommitted and is tried again
                LOG.warning("request at " + tp + "@" + record.offset() + " waits: " + e.getMessage() + "; retrying in "
                        + retry.toSeconds() + " s");
                seekBack(consumer, tp, record.offset());
                sleep(retry);
                return;
            }
            try {
                consumer.commitSync(Map.of(tp, new OffsetAndMetadata(record.offset() + 1)));
            } catch (KafkaException e) {
                LOG.warning("committing " + tp + "@" + record.offset() + " failed (" + e.getMessage()
                        + "); the records after it are read again, and this one is committed with them");
                seekBack(consumer, tp, record.offset() + 1);
                return;
            }
        }
    }

    private static void seekBack(Consumer<?, ?> consumer, TopicPartition tp, long offset) {
        if (consumer.assignment().contains(tp)) {
            consumer.seek(tp, offset);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
