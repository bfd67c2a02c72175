package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.stack.JsonHttp;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.Ports;
import dev.faces.stack.SampleFaces;
import dev.faces.stack.ServiceProcess;
import dev.faces.stack.ServiceProcess.Service;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An s3:// source larger than the ingest's heap: a 600 MB zip (100 faces and a 590 MB entry that is not an
 * image) ingested by the packaged service running with -Xmx256m. The zip is streamed to a file, never held in
 * memory; the big entry is refused with its reason and the faces are ingested.
 */
@ExtendWith(LocalStackExtension.class)
class IngestFromS3IT {
    private static final long PADDING = 590L << 20;

    @Test
    void aZipLargerThanTheHeapIsStreamedAndIngested(LocalStack stack) throws Exception {
        Path dir = Files.createTempDirectory("big-zip-");
        Path zip = dir.resolve("img_align_celeba.zip");
        writeZip(zip);
        assertThat(Files.size(zip)).isGreaterThan(600L * 1000 * 1000);
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1",
                Duration.ofSeconds(30));
        s3.put(ObjectKeys.DATASETS_BUCKET, "uploads/big.zip", Files.readAllBytes(zip), "application/zip");
        Files.delete(zip);

        Path logs = Files.createDirectories(Path.of("target", "e2e-logs", "ingest-from-s3").toAbsolutePath());
        ServiceProcess ingest = ServiceProcess.start(Service.INGEST, Service.INGEST.jar(Pipeline.ROOT), Ports.free(),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(), "S3_ENDPOINT", stack.s3Endpoint(),
                        "S3_ACCESS_KEY", stack.accessKey(), "S3_SECRET_KEY", stack.secretKey(),
                        "INGEST_ALLOWED_ROOTS", dir.toString()),
                logs.resolve("ingest-service.log"), List.of("-Xmx256m"));
        try {
            ingest.awaitUp(Duration.ofMinutes(1));
            JsonHttp.Reply r = JsonHttp.post(ingest.url() + "/api/ingest-jobs", "{\"source\":\"s3://"
                    + ObjectKeys.DATASETS_BUCKET + "/uploads/big.zip\",\"datasetId\":\"big-zip\"}", Pipeline.TOKEN);
            assertThat(r.status()).as("%s", r.body()).isEqualTo(202);
            String job = ingest.url() + "/api/ingest-jobs/" + r.body().path("id").asText();
            JsonNode done = null;
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (System.nanoTime() < deadline) {
                assertThat(ingest.isRunning()).as(ingest.tail(40)).isTrue();
                done = JsonHttp.get(job).body();
                if (done != null && !done.path("status").asText().matches("queued|running")) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(done.path("status").asText()).as("%s\n%s", done, ingest.tail(40)).isEqualTo("completed");
            assertThat(done.path("processed").asInt()).isEqualTo(101);
            assertThat(done.path("rejected").asInt()).isEqualTo(1);
            String rejected = new String(s3.get(ObjectKeys.DATASETS_BUCKET, ObjectKeys.rejected("big-zip")).orElseThrow(),
                    StandardCharsets.UTF_8);
            assertThat(rejected).contains("padding.bin", "entry inflates past");
            assertThat(ingest.tail(2000)).doesNotContain("OutOfMemoryError");
        } finally {
            ingest.stop();
        }
    }

    /** 100 faces, then a stored (uncompressed) 590 MB entry of pseudo-random bytes. */
    private static void writeZip(Path zip) throws Exception {
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        CRC32 crc = new CRC32();
        for (long written = 0; written < PADDING; written += block.length) {
            crc.update(block);
        }
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            for (int i = 1; i <= 100; i++) {
                out.putNextEntry(new ZipEntry(String.format("img_align_celeba/%06d.jpg", i)));
                out.write(SampleFaces.jpeg(SampleFaces.face(new Random(i)), 0.9f));
            }
            ZipEntry padding = new ZipEntry("img_align_celeba/padding.bin");
            padding.setMethod(ZipEntry.STORED);
            padding.setSize(PADDING);
            padding.setCompressedSize(PADDING);
            padding.setCrc(crc.getValue());
            out.putNextEntry(padding);
            for (long written = 0; written < PADDING; written += block.length) {
                out.write(block);
            }
        }
    }
}
