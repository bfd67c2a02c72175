package dev.faces.trainer.messaging;

import dev.faces.core.Digests;
import dev.faces.core.Topics;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventFormatException;
import dev.faces.core.events.TrainingRequested;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.trainer.runs.RunManager;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Consumes {@code faces.training-requests} in the trainers' consumer group. The partitions the group assigns
 * are this trainer's leases: it trains the runs of those partitions and no others. Cooperative rebalancing
 * moves only the partitions that change hands, and a revoked partition's run stops and saves before the
 * partition is released. A request is committed once its run.json is written; a transient failure (S3 or Kafka
 * away) leaves it uncommitted and it is tried again; only records that can never be processed are
 * dead-lettered, each with its reason.
 */
public final class TrainingRequestLeases implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainingRequestLeases.class.getName());
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final KafkaConsumer<String, byte[]> consumer;
    private final RunManager runs;
    private final CloudEventProducer deadLetters;
    private final Thread poller;
    private volatile boolean closing;

    public TrainingRequestLeases(Map<String, Object> kafkaConfig, String groupId, Duration sessionTimeout,
                                 RunManager runs, CloudEventProducer deadLetters) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, sessionTimeout.toMillis() / 5));
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20);
        config.remove("key.deserializer");
        config.remove("value.deserializer");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.runs = runs;
        this.deadLetters = deadLetters;
        this.poller = new Thread(this::poll, "training-request-leases");
    }

    /** A request without a runId gets one derived from its record, so a redelivery names the same run. */
    static TrainingRequested withStableRunId(CloudEvent event, TrainingRequested request) {
        if (request.runId() != null) {
            return request;
        }
        return request.withRunId("run-" + Digests.sha256((event.source() + "\n" + event.id()).getBytes(
                java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16));
    }

    public void start() {
        poller.start();
    }

    private void poll() {
        try {
            consumer.subscribe(List.of(Topics.TRAINING_REQUESTS), new Leases());
            while (!closing) {
                try {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    for (TopicPartition tp : records.partitions()) {
                        handlePartition(tp, records.records(tp));
                    }
                } catch (WakeupException e) {
                    break;
                } catch (RuntimeException e) { // the consumer must outlive any one failure
                    LOG.log(Level.SEVERE, "training-request consumer: " + e.getMessage() + "; going on", e);
                    sleep(RETRY);
                }
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10)); // leaves the group: the partitions move at once
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the training-request consumer", e);
            }
        }
    }

    private void handlePartition(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
        PartitionCommits.handle(consumer, tp, records, p -> runs.ownedPartitions().contains(p), this::handle, RETRY);
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        TrainingRequested request;
        try {
            CloudEvent event = KafkaRecords.decode(record);
            if (!(event.data() instanceof TrainingRequested r)) {
                throw new EventFormatException(EventFormatException.Kind.UNKNOWN_TYPE,
                        event.type().type() + " does not belong on " + Topics.TRAINING_REQUESTS);
            }
            request = withStableRunId(event, r);
        } catch (EventFormatException e) {
            LOG.warning("request at " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + " dead-lettered: " + e.getMessage());
            deadLetters.deadLetter(record, Topics.deadLetter(Topics.TRAINING_REQUESTS), e.getMessage());
            return;
        }
        runs.submit(request, record.partition());
    }

    private final class Leases implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                runs.partitionCount(consumer.partitionsFor(Topics.TRAINING_REQUESTS).size());
                runs.assigned(partitions.stream().map(TopicPartition::partition).toList());
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                runs.revoked(partitions.stream().map(TopicPartition::partition).toList());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) { // another trainer may own them already: stop at once, write nothing
                runs.lost(partitions.stream().map(TopicPartition::partition).toList());
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Leaves the group; call after the run manager has stopped, so a run in training has saved first. */
    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            poller.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
