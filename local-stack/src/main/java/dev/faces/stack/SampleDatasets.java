package dev.faces.stack;

import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.EventData;
import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a small dataset exactly as the ingest-service does: shards, sidecars and the manifest in S3, events on
 * Kafka. For tests and drills that need a dataset without running an ingest.
 */
public final class SampleDatasets {
    private SampleDatasets() {
    }

    public static void publish(LocalStack stack, String datasetId, int shards, int imagesPerShard) throws Exception {
        write(stack, datasetId, shards, imagesPerShard, true);
    }

    /**
     * The shards, sidecars and manifest in S3, then (if {@code announce}) the events. Without events the dataset
     * is as a trainer sees one ingested while it was away: only S3 knows it.
     */
    public static void write(LocalStack stack, String datasetId, int shards, int imagesPerShard, boolean announce)
            throws Exception {
        ObjectStore store = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        Random random = new Random(datasetId.hashCode());
        StringBuilder manifestShards = new StringBuilder();
        try (KafkaProducer<String, byte[]> producer = producer(stack)) {
            for (int s = 0; s < shards; s++) {
                byte[] npy = Npy.write(NpyArray.uint8(faces(random, imagesPerShard), imagesPerShard, 3, 64, 64));
                String sha = Digests.sha256(npy);
                store.put(ObjectKeys.DATASETS_BUCKET, ObjectKeys.shard(datasetId, s), npy, "application/octet-stream");
                store.put(ObjectKeys.DATASETS_BUCKET, ObjectKeys.shardIndex(datasetId, s),
                        ("{\"count\":" + imagesPerShard + ",\"sha256\":\"" + sha + "\",\"files\":[]}").getBytes(), "application/json");
                manifestShards.append(s == 0 ? "" : ",").append("{\"index\":").append(s).append(",\"key\":\"")
                        .append(ObjectKeys.shard(datasetId, s)).append("\",\"count\":").append(imagesPerShard)
                        .append(",\"sha256\":\"").append(sha).append("\",\"bytes\":").append(npy.length).append('}');
                if (announce) {
                    send(producer, new DatasetBatch(datasetId, s, ObjectKeys.shard(datasetId, s), imagesPerShard, 64, sha,
                            (long) npy.length));
                }
            }
            String manifest = "{\"datasetId\":\"" + datasetId + "\",\"imageSize\":64,\"imageCount\":"
                    + shards * imagesPerShard + ",\"rejectedCount\":0,\"shardCount\":" + shards + ",\"shards\":["
                    + manifestShards + "]}";
            store.put(ObjectKeys.DATASETS_BUCKET, ObjectKeys.manifest(datasetId), manifest.getBytes(StandardCharsets.UTF_8),
                    "application/json");
            if (announce) {
                send(producer, new DatasetCompleted(datasetId, shards, shards * imagesPerShard, 0,
                        ObjectKeys.manifest(datasetId)));
            }
        }
    }

    /** Binary-mode CloudEvent, as SmallRye producers write them. */
    public static void send(KafkaProducer<String, byte[]> producer, EventData data) throws Exception {
        producer.send(record(data)).get();
    }

    /** The record {@link #send} sends, keyed by the event's subject. */
    public static ProducerRecord<String, byte[]> record(EventData data) {
        CloudEvent event = CloudEvent.of("/test", data);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(data.eventType().topic(), event.subject(),
                EventCodec.dataJson(data));
        EventCodec.binaryHeaders(event).forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    public static KafkaProducer<String, byte[]> producer(LocalStack stack) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Smooth colour blobs on a background: enough structure for SWD and the sample grid to mean something. */
    public static byte[] faces(Random random, int count) {
        byte[] out = new byte[count * 3 * 64 * 64];
        for (int i = 0; i < count; i++) {
            double cx = 24 + random.nextInt(16);
            double cy = 24 + random.nextInt(16);
            for (int c = 0; c < 3; c++) {
                int bg = random.nextInt(100);
                int fg = 100 + random.nextInt(156);
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        double d = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 300.0;
                        out[((i * 3 + c) * 64 + y) * 64 + x] = (byte) (bg + (fg - bg) * Math.exp(-d));
                    }
                }
            }
        }
        return out;
    }
}
