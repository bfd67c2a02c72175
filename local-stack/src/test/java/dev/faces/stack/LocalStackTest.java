package dev.faces.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.ObjectKeys;
import dev.faces.core.Topics;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.TrainingRequested;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LocalStackExtension.class)
class LocalStackTest {

    @Test
    void createsThePipelinesTopicsAndBuckets(LocalStack stack) {
        assertThat(stack.topics()).containsAll(Topics.all());
        assertThat(stack.buckets()).containsExactly(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.DATASETS_BUCKET);
    }

    @Test
    void producesAndConsumesCloudEventsThroughTheRealBroker(LocalStack stack) throws Exception {
        String datasetId = "ds-" + UUID.randomUUID();
        CloudEvent structured = CloudEvent.of("test", TrainingRequested.forDataset(datasetId));
        CloudEvent binary = CloudEvent.of("test", TrainingRequested.forDataset(datasetId).withRunId("run-" + datasetId));
        try (KafkaProducer<String, byte[]> producer = producer(stack)) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, structured.subject(),
                    EventCodec.toStructured(structured))).get();
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.TRAINING_REQUESTS, binary.subject(),
                    EventCodec.dataJson(binary.data()));
            EventCodec.binaryHeaders(binary).forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            producer.send(record).get();
        }
        List<CloudEvent> received = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(stack)) {
            consumer.subscribe(List.of(Topics.TRAINING_REQUESTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header h : r.headers()) {
                        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                    }
                    CloudEvent event = EventCodec.decode(headers, r.value());
                    if (((TrainingRequested) event.data()).datasetId().equals(datasetId)) {
                        assertThat(r.key()).isEqualTo(event.subject());
                        received.add(event);
                    }
                }
            }
        }
        assertThat(received).extracting(CloudEvent::id).containsExactlyInAnyOrder(structured.id(), binary.id());
    }

    @Test
    void putsListsGetsAndDeletesThroughTheRealS3Server(LocalStack stack) throws Exception {
        MinioClient s3 = stack.s3Client();
        String prefix = "it-" + UUID.randomUUID() + "/";
        byte[] big = new byte[6 << 20]; // above MinIO's multipart threshold
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        put(s3, prefix + "a.txt", "hello".getBytes(StandardCharsets.UTF_8));
        put(s3, prefix + "shards/b.bin", big);

        List<String> keys = new ArrayList<>();
        for (Result<Item> r : s3.listObjects(ListObjectsArgs.builder().bucket(ObjectKeys.DATASETS_BUCKET)
                .prefix(prefix).recursive(true).build())) {
            keys.add(r.get().objectName());
        }
        assertThat(keys).containsExactly(prefix + "a.txt", prefix + "shards/b.bin");
        assertThat(get(s3, prefix + "shards/b.bin")).isEqualTo(big);
        assertThat(new String(get(s3, prefix + "a.txt"), StandardCharsets.UTF_8)).isEqualTo("hello");

        s3.removeObject(RemoveObjectArgs.builder().bucket(ObjectKeys.DATASETS_BUCKET).object(prefix + "a.txt").build());
        assertThatThrownBy(() -> s3.statObject(StatObjectArgs.builder().bucket(ObjectKeys.DATASETS_BUCKET)
                .object(prefix + "a.txt").build()))
                .isInstanceOfSatisfying(ErrorResponseException.class,
                        e -> assertThat(e.errorResponse().code()).isEqualTo("NoSuchKey"));
    }

    @Test
    void aSecondStartFindsItsDataAgain(@TempDir Path dir) throws Exception {
        String key = "restart/marker.txt";
        try (LocalStack first = LocalStack.start(LocalStack.Settings.ephemeral(dir))) {
            put(first.s3Client(), key, "kept".getBytes(StandardCharsets.UTF_8));
            try (KafkaProducer<String, byte[]> producer = producer(first)) {
                producer.send(new ProducerRecord<>(Topics.DATASETS, "restart", "kept".getBytes())).get();
            }
        }
        try (LocalStack second = LocalStack.start(LocalStack.Settings.ephemeral(dir))) {
            assertThat(new String(get(second.s3Client(), key), StandardCharsets.UTF_8)).isEqualTo("kept");
            try (KafkaConsumer<String, byte[]> consumer = consumer(second)) {
                consumer.subscribe(List.of(Topics.DATASETS));
                List<String> keys = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (keys.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(r -> keys.add(r.key()));
                }
                assertThat(keys).containsExactly("restart");
            }
        }
        assertThat(Files.readString(dir.resolve("logs/kafka.log"))).contains("Kafka Server started");
    }

    @Test
    void givenEndpointsAreUsedInsteadOfStartingServers(LocalStack shared, @TempDir Path dir) {
        var env = Map.of("KAFKA_BOOTSTRAP_SERVERS", shared.bootstrapServers(), "S3_ENDPOINT", shared.s3Endpoint());
        try (LocalStack external = LocalStack.start(LocalStack.Settings.fromEnvironment(dir, env))) {
            assertThat(external.kafka()).isNull();
            assertThat(external.s3()).isNull();
            assertThat(external.bootstrapServers()).isEqualTo(shared.bootstrapServers());
            assertThat(external.topics()).containsAll(Topics.all());
            assertThat(external.buckets()).containsAll(LocalStack.BUCKETS);
        }
        assertThat(dir.resolve("kafka")).doesNotExist();
        assertThat(shared.kafka().isRunning()).isTrue();
    }

    @Test
    void aBusyPortIsReportedClearly(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            KafkaBroker broker = new KafkaBroker(port, Ports.free(), dir, dir.resolve("kafka.log"));
            assertThatThrownBy(broker::start).isInstanceOf(Ports.PortInUseException.class)
                    .hasMessage("port " + port + " (Kafka) is already in use. Is another ./pipeline stack running? "
                            + "Stop it, or set KAFKA_BOOTSTRAP_SERVERS to use that broker.");
        }
    }

    private static void put(MinioClient s3, String key, byte[] data) throws Exception {
        s3.putObject(PutObjectArgs.builder().bucket(ObjectKeys.DATASETS_BUCKET).object(key)
                .stream(new ByteArrayInputStream(data), data.length, -1).build());
    }

    private static byte[] get(MinioClient s3, String key) throws Exception {
        try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket(ObjectKeys.DATASETS_BUCKET).object(key).build())) {
            return in.readAllBytes();
        }
    }

    private static KafkaProducer<String, byte[]> producer(LocalStack stack) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(LocalStack stack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
