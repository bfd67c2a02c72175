package dev.faces.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.Topics;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventCodec;
import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import dev.faces.stack.SampleFaces;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The ingest on the real broker and S3: 2,000 procedural faces with planted files of every bad kind and every
 * merely different kind. Every good image ends up in the shards, every bad file in rejected.jsonl with its reason,
 * the batch events match the shards, the manifest agrees; a re-run writes and announces nothing; a job killed
 * half-way (manifest and last shard gone) finishes with the same dataset.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class IngestJobResourceTest {
    static final String ADMIN = "Bearer dev-admin-token";

    @Test
    void ingestsEveryGoodImageAndRejectsEveryBadOneWithAReason() throws Exception {
        Path dir = Files.createTempDirectory("celeba-");
        SampleFaces.write(dir, 2000, 1);
        Path images = dir.resolve("img_align_celeba");
        byte[] good = Files.readAllBytes(images.resolve("000001.jpg"));
        Map<String, String> bad = Map.of(
                "b-empty.jpg", "empty file",
                "b-truncated.jpg", "damaged",
                "b-text.jpg", "not an image",
                "b-bomb.png", "decompression bomb",
                "b-missing.jpg", "listed in list_eval_partition.txt but missing");
        Files.write(images.resolve("b-empty.jpg"), new byte[0]);
        Files.write(images.resolve("b-truncated.jpg"), java.util.Arrays.copyOf(good, good.length / 2));
        Files.writeString(images.resolve("b-text.jpg"), "not a face, just text");
        Files.write(images.resolve("b-bomb.png"), pngDeclaring(100_000, 100_000));
        BufferedImage face = SampleFaces.face(new Random(5));
        BufferedImage gray = new BufferedImage(178, 218, BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(face, 0, 0, null);
        Files.write(images.resolve("k-gray.jpg"), SampleFaces.jpeg(gray, 0.9f));
        Files.write(images.resolve("k-progressive.jpg"), progressive(face));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(face, "png", png);
        Files.write(images.resolve("k-png-bytes.jpg"), png.toByteArray());
        Files.write(images.resolve("k-large.jpg"), SampleFaces.jpeg(scaled(face, 400, 500), 0.9f));
        Files.write(images.resolve("k-small.jpg"), SampleFaces.jpeg(scaled(face, 50, 60), 0.9f));
        try (InputStream in = getClass().getResourceAsStream("/files/cmyk.jpg")) {
            Files.write(images.resolve("k-cmyk.jpg"), in.readAllBytes());
        }
        StringBuilder partition = new StringBuilder(Files.readString(dir.resolve("list_eval_partition.txt")));
        for (String extra : List.of("b-empty.jpg", "b-truncated.jpg", "b-text.jpg", "b-bomb.png", "b-missing.jpg",
                "k-gray.jpg", "k-progressive.jpg", "k-png-bytes.jpg", "k-large.jpg", "k-small.jpg", "k-cmyk.jpg")) {
            partition.append(extra).append(" 0\n");
        }
        Files.writeString(dir.resolve("list_eval_partition.txt"), partition.toString());

        String dataset = "celeba-" + UUID.randomUUID().toString().substring(0, 6);
        JsonNode job = runJob(dir.toString(), dataset, "all");
        int expectedGood = 2000 + 6;
        assertThat(job.path("processed").asInt()).isEqualTo(2000 + 10);
        assertThat(job.path("rejected").asInt()).isEqualTo(bad.size());

        ObjectStore s3 = s3();
        String bucket = ObjectKeys.DATASETS_BUCKET;
        JsonNode manifest = EventCodec.json().readTree(s3.get(bucket, ObjectKeys.manifest(dataset)).orElseThrow());
        assertThat(manifest.path("imageCount").asInt()).isEqualTo(expectedGood);
        assertThat(manifest.path("rejectedCount").asInt()).isEqualTo(bad.size());

        // every good image is in a shard, in file-name order; shards agree with their sidecars and the manifest
        List<String> inShards = new ArrayList<>();
        for (JsonNode shard : manifest.path("shards")) {
            int index = shard.path("index").asInt();
            byte[] npy = s3.get(bucket, ObjectKeys.shard(dataset, index)).orElseThrow();
            JsonNode sidecar = EventCodec.json().readTree(s3.get(bucket, ObjectKeys.shardIndex(dataset, index)).orElseThrow());
            NpyArray array = Npy.read(npy, NpyArray.DType.UINT8, -1, 3, 64, 64);
            assertThat(array.shape()[0]).isEqualTo(sidecar.path("count").asInt()).isEqualTo(shard.path("count").asInt());
            assertThat(Digests.sha256(npy)).isEqualTo(sidecar.path("sha256").asText()).isEqualTo(shard.path("sha256").asText());
            sidecar.path("files").forEach(f -> inShards.add(f.asText()));
        }
        TreeSet<String> expectedFiles = new TreeSet<>();
        for (int i = 1; i <= 2000; i++) {
            expectedFiles.add(String.format("%06d.jpg", i));
        }
        expectedFiles.addAll(List.of("k-gray.jpg", "k-progressive.jpg", "k-png-bytes.jpg", "k-large.jpg", "k-small.jpg", "k-cmyk.jpg"));
        assertThat(inShards).containsExactlyElementsOf(expectedFiles);

        Map<String, String> rejected = new HashMap<>();
        new String(s3.get(bucket, ObjectKeys.rejected(dataset)).orElseThrow(), StandardCharsets.UTF_8).lines()
                .forEach(l -> {
                    try {
                        JsonNode n = EventCodec.json().readTree(l);
                        rejected.put(n.path("file").asText(), n.path("reason").asText());
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                });
        assertThat(rejected.keySet()).containsExactlyInAnyOrderElementsOf(bad.keySet());
        bad.forEach((file, reason) -> assertThat(rejected.get(file)).as(file).contains(reason));

        List<CloudEvent> events = events(dataset, manifest.path("shardCount").asInt() + 1);
        List<DatasetBatch> batches = events.stream().map(CloudEvent::data).filter(DatasetBatch.class::isInstance)
                .map(DatasetBatch.class::cast).toList();
        assertThat(batches).hasSize(manifest.path("shardCount").asInt());
        for (DatasetBatch b : batches) {
            JsonNode shard = manifest.path("shards").get(b.shardIndex());
            assertThat(b.imageCount()).isEqualTo(shard.path("count").asInt());
            assertThat(b.sha256()).isEqualTo(shard.path("sha256").asText());
        }
        DatasetCompleted completed = (DatasetCompleted) events.get(events.size() - 1).data();
        assertThat(completed.imageCount()).isEqualTo(expectedGood);
        assertThat(completed.rejectedCount()).isEqualTo(bad.size());

        // a re-run writes and announces no shard; it announces the completed dataset again (the first one may
        // have been lost after the manifest), the same event data, which consumers ignore
        JsonNode again = runJob(dir.toString(), dataset, "all");
        assertThat(again.path("message").asText()).contains("already ingested");
        Thread.sleep(1000);
        List<CloudEvent> afterRerun = events(dataset, events.size() + 2);
        assertThat(afterRerun).hasSize(events.size() + 1);
        assertThat(afterRerun.get(afterRerun.size() - 1).data()).isEqualTo(completed);

        // killed half-way: no manifest yet and the last shard missing; the restarted job ends with the same dataset
        int last = manifest.path("shardCount").asInt() - 1;
        s3.delete(bucket, ObjectKeys.manifest(dataset));
        s3.delete(bucket, ObjectKeys.shard(dataset, last));
        s3.delete(bucket, ObjectKeys.shardIndex(dataset, last));
        runJob(dir.toString(), dataset, "all");
        JsonNode restarted = EventCodec.json().readTree(s3.get(bucket, ObjectKeys.manifest(dataset)).orElseThrow());
        assertThat(restarted.path("shards")).isEqualTo(manifest.path("shards"));
        assertThat(restarted.path("imageCount")).isEqualTo(manifest.path("imageCount"));

        given().get("/api/datasets/" + dataset).then().statusCode(200).body("imageCount", equalTo(expectedGood));
        given().get("/api/datasets").then().statusCode(200);
    }

    @Test
    void aZipIsReadInPlaceAndItsUnsafeEntriesAreRefused() throws Exception {
        Path dir = Files.createTempDirectory("celeba-zip-");
        Path zip = dir.resolve("img_align_celeba.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 1; i <= 30; i++) {
                out.putNextEntry(new ZipEntry(String.format("img_align_celeba/%06d.jpg", i)));
                out.write(SampleFaces.jpeg(SampleFaces.face(new Random(i)), 0.9f));
            }
            out.putNextEntry(new ZipEntry("../../evil.jpg"));
            out.write(SampleFaces.jpeg(SampleFaces.face(new Random(99)), 0.9f));
            out.putNextEntry(new ZipEntry("img_align_celeba/zbomb.jpg"));
            out.write(new byte[30_000_000]);
            // one file name in two folders: both are refused with the reason, neither dropped in silence
            out.putNextEntry(new ZipEntry("a/twin.jpg"));
            out.write(SampleFaces.jpeg(SampleFaces.face(new Random(7)), 0.9f));
            out.putNextEntry(new ZipEntry("b/twin.jpg"));
            out.write(SampleFaces.jpeg(SampleFaces.face(new Random(8)), 0.9f));
        }
        String dataset = "zip-" + UUID.randomUUID().toString().substring(0, 6);
        JsonNode job = runJob(zip.toString(), dataset, null);
        assertThat(job.path("rejected").asInt()).isEqualTo(4);
        String rejected = new String(s3().get(ObjectKeys.DATASETS_BUCKET, ObjectKeys.rejected(dataset)).orElseThrow(),
                StandardCharsets.UTF_8);
        assertThat(rejected).contains("../../evil.jpg", "unsafe entry name", "zbomb.jpg", "zip bomb", "a/twin.jpg",
                "b/twin.jpg", "2 entries are named twin.jpg in different folders");
        given().get("/api/datasets/" + dataset).then().statusCode(200).body("imageCount", equalTo(30));
        given().get("/q/metrics").then().statusCode(200).body(containsString("faces_ingest_images_processed 31.0"))
                .body(containsString("faces_ingest_images_rejected 4.0"));

        // the same zip uploaded to S3 and ingested from there
        s3().put(ObjectKeys.DATASETS_BUCKET, "uploads/" + dataset + ".zip", Files.readAllBytes(zip), "application/zip");
        String uri = "s3://" + ObjectKeys.DATASETS_BUCKET + "/uploads/" + dataset + ".zip";
        runJob(uri, dataset + "-s3", null);
        given().get("/api/datasets/" + dataset + "-s3").then().statusCode(200).body("imageCount", equalTo(30))
                .body("source.location", containsString(uri + " (" + Files.size(zip) + " bytes, etag "));
        // the object's identity (bucket, key, size, ETag) is the source: running it again writes nothing
        assertThat(runJob(uri, dataset + "-s3", null).path("message").asText()).contains("already ingested");
        // s3 sources are limited to the configured buckets
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"source\":\"s3://" + ObjectKeys.CHECKPOINTS_BUCKET + "/x.zip\"}").post("/api/ingest-jobs")
                .then().statusCode(400).body("detail", containsString("is not one ingest may read from"));
    }

    @Test
    void aSymlinkCannotLeadOutOfTheAllowedRoots() throws Exception {
        Path root = Files.createTempDirectory("celeba-link-"); // under java.io.tmpdir, the test's allowed root
        Path outside = Path.of("/etc"); // outside java.io.tmpdir wherever the checkout is
        Path link = Files.createSymbolicLink(root.resolve("escape"), outside);
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"source\":\"" + link + "\",\"datasetId\":\"escape\"}").post("/api/ingest-jobs")
                .then().statusCode(400).body("detail", containsString("really " + outside.toRealPath()))
                .body("detail", containsString("outside the allowed roots"));
    }

    @Test
    void badRequestsAreRefusedWithWhatIsAllowed() {
        given().contentType("application/json").body("{\"source\":\"/tmp\"}").post("/api/ingest-jobs").then().statusCode(401);
        given().header("Authorization", ADMIN).contentType("application/json").body("{\"source\":\"/etc\"}")
                .post("/api/ingest-jobs").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("outside the allowed roots"));
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"source\":\"" + System.getProperty("java.io.tmpdir") + "/nope-" + UUID.randomUUID() + "\"}")
                .post("/api/ingest-jobs").then().statusCode(400).body("detail", containsString("does not exist"));
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"source\":\"" + System.getProperty("java.io.tmpdir") + "\",\"partition\":\"holdout\"}")
                .post("/api/ingest-jobs").then().statusCode(400).body("detail", containsString("train, valid, test, all"));
        given().header("Authorization", ADMIN).contentType("application/json").body("{\"source\":\"/tmp\",\"limit\":\"x\"}")
                .post("/api/ingest-jobs").then().statusCode(400);
        given().get("/api/ingest-jobs/nope").then().statusCode(404).body("status", equalTo(404));
        given().get("/api/datasets/..%2Fx").then().statusCode(400);
    }

    private JsonNode runJob(String source, String dataset, String partition) throws Exception {
        String body = "{\"source\":\"" + source + "\",\"datasetId\":\"" + dataset + "\""
                + (partition == null ? "" : ",\"partition\":\"" + partition + "\"") + "}";
        String id = given().header("Authorization", ADMIN).contentType("application/json").body(body)
                .post("/api/ingest-jobs").then().statusCode(202).extract().path("id");
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode j = EventCodec.json().readTree(given().get("/api/ingest-jobs/" + id).asString());
            String status = j.path("status").asText();
            if (status.equals("completed")) {
                return j;
            }
            assertThat(status).as(j.toString()).isNotEqualTo("failed");
            Thread.sleep(250);
        }
        throw new AssertionError("ingest job " + id + " did not finish");
    }

    private static ObjectStore s3() {
        LocalStack stack = LocalStack.shared();
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
    }

    private static List<CloudEvent> events(String dataset, int atMost) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<CloudEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DATASETS));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (events.size() < atMost && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (dataset.equals(r.key())) {
                        Map<String, String> headers = new HashMap<>();
                        r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
                        events.add(EventCodec.decode(headers, r.value()));
                    }
                }
            }
        }
        return events;
    }

    /** A PNG whose header declares the given size (with a correct CRC) but carries almost no data. */
    static byte[] pngDeclaring(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes()).putInt(w).putInt(h)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        out.write(ByteBuffer.allocate(4).putInt(13).array());
        out.write(ihdr.array());
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    private static byte[] progressive(BufferedImage img) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(img, null, null), param);
        }
        writer.dispose();
        return bytes.toByteArray();
    }

    private static BufferedImage scaled(BufferedImage img, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(img, 0, 0, w, h, null);
        return out;
    }
}
