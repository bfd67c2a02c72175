package dev.faces.trainer.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.ObjectKeys;
import dev.faces.core.events.DatasetBatch;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackResource;
import dev.faces.stack.SampleDatasets;
import dev.faces.trainer.data.ShardCatalog;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away just as a dataset event reaches the trainer, on a partition the channel had not seen yet.
 * The channel must make no broker call of its own on the way to the handler: SmallRye's default (throttled) commit
 * strategy asks the broker for the partition's committed offset there, and when that times out the channel is dead
 * for good (readiness DOWN, no dataset event handled again). Found by DrillsIT's Kafka drill, by chance.
 */
@QuarkusTest
@TestProfile(DatasetChannelOutageTest.FreezingBroker.class)
@WithTestResource(LocalStackResource.class)
class DatasetChannelOutageTest {
    private static final String GROUP = "trainer-outage-" + UUID.randomUUID().toString().substring(0, 8);
    /** Longer than the channel's API timeout below, so that any broker call the channel waits on fails. */
    private static final Duration FREEZE = Duration.ofSeconds(9);

    public static class FreezingBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String channel = "mp.messaging.incoming.datasets.";
            return Map.of(channel + "interceptor.classes", BrokerFreezingInterceptor.class.getName(),
                    // a group of its own that starts at the end: the record below is the first of its partition
                    channel + "group.id", GROUP, channel + "auto.offset.reset", "latest",
                    // the production default is 60 s; a broker call on the record path fails within the freeze
                    channel + "default.api.timeout.ms", "4000");
        }
    }

    @Inject
    ShardCatalog catalog;

    @Test
    void theChannelOutlivesAnOutageThatBeginsAsARecordArrives() throws Exception {
        LocalStack stack = LocalStack.shared();
        awaitAssigned(stack);
        String prefix = "outage-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        System.clearProperty(BrokerFreezingInterceptor.FROZEN);
        System.setProperty(BrokerFreezingInterceptor.BROKER_PID, Long.toString(stack.kafka().pid()));
        System.setProperty(BrokerFreezingInterceptor.FREEZE_ON_KEY_PREFIX, prefix);
        String first;
        try (KafkaProducer<String, byte[]> producer = SampleDatasets.producer(stack)) {
            try {
                // A record sent before the new consumer has looked up where it starts is skipped (it starts at the
                // end), and leaves its partition unread: send another until one arrives.
                for (int i = 0; System.getProperty(BrokerFreezingInterceptor.FROZEN) == null; i++) {
                    assertThat(i).as("the broker froze as a record reached the consumer").isLessThan(6);
                    producer.send(SampleDatasets.record(batch(prefix + i))); // acknowledged once the broker wakes
                    awaitQuietly(() -> System.getProperty(BrokerFreezingInterceptor.FROZEN) != null,
                            Duration.ofSeconds(5));
                }
                assertThat(System.getProperty(BrokerFreezingInterceptor.FROZEN)).isEqualTo("yes");
                first = System.getProperty(BrokerFreezingInterceptor.FROZEN_ON_KEY);
                Thread.sleep(FREEZE.toMillis());
            } finally {
                System.clearProperty(BrokerFreezingInterceptor.FREEZE_ON_KEY_PREFIX);
                stack.kafka().signal("CONT"); // before the producer closes, which waits for its sends
            }
            await("the record that arrived with the outage is handled", () -> catalog.get(first).isPresent(),
                    Duration.ofSeconds(30));

            String later = "outage-later-" + UUID.randomUUID().toString().substring(0, 8);
            SampleDatasets.send(producer, batch(later));
            await("a record sent after the outage is handled", () -> catalog.get(later).isPresent(),
                    Duration.ofSeconds(30));
        }
        await("the service is ready again", () -> given().get("/q/health/ready").statusCode() == 200,
                Duration.ofSeconds(30));
    }

    private static DatasetBatch batch(String datasetId) {
        return new DatasetBatch(datasetId, 0, ObjectKeys.shard(datasetId, 0), 16, 64, "0".repeat(64), 1024L);
    }

    /** The channel's consumer has its partitions (it starts at their end). */
    private static void awaitAssigned(LocalStack stack) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            await("the channel's consumer is assigned its partitions", () -> {
                try {
                    ConsumerGroupDescription group = admin.describeConsumerGroups(java.util.List.of(GROUP))
                            .describedGroups().get(GROUP).get();
                    return group.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
                } catch (Exception e) {
                    return false;
                }
            }, Duration.ofSeconds(60));
        }
    }

    /** Whether the condition came true within the timeout. */
    private static boolean awaitQuietly(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        assertThat(awaitQuietly(condition, timeout)).as(what).isTrue();
    }
}
