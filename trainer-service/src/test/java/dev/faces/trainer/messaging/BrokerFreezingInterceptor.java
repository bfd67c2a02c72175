package dev.faces.trainer.messaging;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Freezes the broker (SIGSTOP) the moment the consumer has fetched the first record whose key starts with
 * {@link #FREEZE_ON_KEY_PREFIX}, before the channel sees it: the outage begins exactly as a record arrives, which a
 * drill meets only by chance. System properties carry the prefix, the broker's pid and the outcome (and the record's
 * key), since Kafka may load this class in another class loader than the test's; for the same reason it signals
 * the pid itself instead of going through local-stack's broker object.
 */
public class BrokerFreezingInterceptor implements ConsumerInterceptor<Object, Object> {
    static final String FREEZE_ON_KEY_PREFIX = "faces.test.freeze-broker-on-key-prefix";
    static final String BROKER_PID = "faces.test.broker-pid";
    static final String FROZEN = "faces.test.broker-frozen";
    static final String FROZEN_ON_KEY = "faces.test.broker-frozen-on-key";

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        String prefix = System.getProperty(FREEZE_ON_KEY_PREFIX);
        if (prefix == null) {
            return records;
        }
        for (ConsumerRecord<Object, Object> r : records) {
            if (r.key() instanceof String key && key.startsWith(prefix)) {
                System.clearProperty(FREEZE_ON_KEY_PREFIX);
                System.setProperty(FROZEN_ON_KEY, key);
                try {
                    String pid = System.getProperty(BROKER_PID);
                    int rc = new ProcessBuilder("kill", "-STOP", pid).inheritIO().start().waitFor();
                    System.setProperty(FROZEN, rc == 0 ? "yes" : "kill -STOP " + pid + " exited " + rc);
                } catch (Exception e) {
                    System.setProperty(FROZEN, "kill -STOP failed: " + e);
                }
                break;
            }
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
