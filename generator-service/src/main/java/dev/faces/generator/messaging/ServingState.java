package dev.faces.generator.messaging;

import dev.faces.core.Topics;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.ServingChanged;
import dev.faces.core.kafka.CloudEventProducer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The pin and the policy that every replica serves, kept on the compacted {@code faces.serving} topic. Each
 * replica reads the whole topic from the beginning (no consumer group: every replica sees every change) and
 * applies each change in order, so all replicas converge on the newest one, and a restarted replica finds it
 * again. A change made through one replica's API is published here first.
 */
public final class ServingState implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServingState.class.getName());

    private final KafkaConsumer<String, byte[]> consumer;
    private final CloudEventProducer producer;
    private final Consumer<ServingChanged> apply;
    private final Thread poller;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile ServingChanged last;

    public ServingState(Map<String, Object> kafkaConfig, CloudEventProducer producer, Consumer<ServingChanged> apply) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove("key.deserializer");
        config.remove("value.deserializer");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = producer;
        this.apply = apply;
        this.poller = new Thread(this::poll, "serving-state");
        this.poller.setDaemon(true);
    }

    /** Starts following the topic; waits (at most {@code timeout}) until the state written so far is applied. */
    public void start(Duration timeout) throws InterruptedException {
        poller.start();
        if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warning("faces.serving not read within " + timeout.toSeconds() + " s; serving by the policy until it is");
        }
    }

    /** Publishes a change; every replica (this one included) applies it when it reads it. */
    public void publish(ServingChanged change) {
        producer.send(change);
    }

    /** The newest change read, or null. */
    public ServingChanged last() {
        return last;
    }

    private void poll() {
        TopicPartition partition = new TopicPartition(Topics.SERVING, 0);
        while (!closing) {
            try {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                long end = consumer.endOffsets(List.of(partition)).get(partition);
                if (end == 0) {
                    caughtUp.countDown();
                }
                while (!closing) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        handle(r);
                        if (r.offset() + 1 >= end) {
                            caughtUp.countDown();
                        }
                    }
                    if (consumer.position(partition) >= end) {
                        caughtUp.countDown();
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "faces.serving: " + e.getMessage() + "; reading again in 2 s", e);
                sleep();
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        try {
            Map<String, String> headers = new HashMap<>();
            r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
            CloudEvent event = EventCodec.decode(headers, r.value());
            if (event.data() instanceof ServingChanged change) {
                last = change;
                apply.accept(change);
            }
        } catch (RuntimeException e) {
            LOG.warning("faces.serving record at offset " + r.offset() + " ignored: " + e.getMessage());
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            poller.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(2));
        producer.close();
    }
}
