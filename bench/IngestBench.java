import dev.faces.core.ObjectStore;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.EventData;
import dev.faces.ingest.job.IngestJob;
import dev.faces.ingest.job.IngestProgress;
import dev.faces.ingest.source.FolderSource;
import dev.faces.ingest.source.Partition;
import dev.faces.stack.LocalStack;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** scripts/bench-ingest.sh: the ingest end to end (decode, preprocess, shards to S3, events to Kafka). */
public class IngestBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Runtime.getRuntime().availableProcessors();
        LocalStack stack = LocalStack.shared();
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        Properties p = new Properties();
        p.put("bootstrap.servers", stack.bootstrapServers());
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            IngestJob.Events events = new IngestJob.Events() {
                @Override
                public void batch(DatasetBatch b) {
                    send(producer, b);
                }

                @Override
                public void completed(DatasetCompleted c) {
                    send(producer, c);
                }
            };
            for (int run = 0; run < Integer.getInteger("bench.runs", 2); run++) {
                IngestProgress progress = new IngestProgress();
                java.util.Map<String, Double> cpu0 = cpuSeconds();
                long t0 = System.nanoTime();
                try (FolderSource source = new FolderSource(dir.resolve("img_align_celeba"), null, Partition.Split.all, 20_000_000)) {
                    new IngestJob(s3, "faces-datasets", events, workers, threads)
                            .run(source, new IngestJob.Settings("bench-" + run + "-" + System.nanoTime(), "all", 0, 1000), progress);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("RESULT run %d: %d images in %.2f s = %.0f images/s (%d threads)%n", run,
                        progress.processed(), s, progress.processed() / s, threads);
                java.util.Map<String, Double> cpu1 = cpuSeconds();
                StringBuilder line = new StringBuilder("RESULT run " + run + " CPU seconds:");
                cpu1.forEach((who, t) -> line.append(String.format(" %s %.2f (%.0f us/image)", who,
                        t - cpu0.getOrDefault(who, 0.0), (t - cpu0.getOrDefault(who, 0.0)) * 1e6 / progress.processed())));
                System.out.println(line);
            }
        } finally {
            workers.shutdown();
        }
        System.exit(0);
    }

    /** CPU time so far of this JVM (the ingest) and of the local stack's servers, which share its cores. */
    private static java.util.Map<String, Double> cpuSeconds() {
        java.util.Map<String, Double> cpu = new java.util.TreeMap<>();
        cpu.put("ingest", seconds(ProcessHandle.current()));
        ProcessHandle.current().descendants().forEach(p -> {
            String command = p.info().commandLine().orElse("");
            String who = command.contains("s3proxy") ? "s3-server" : command.contains("kafka") ? "kafka" : null;
            if (who != null) {
                cpu.merge(who, seconds(p), Double::sum);
            }
        });
        return cpu;
    }

    private static double seconds(ProcessHandle p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    private static void send(KafkaProducer<String, byte[]> producer, EventData data) {
        try {
            CloudEvent e = CloudEvent.of("/bench", data);
            producer.send(new ProducerRecord<>(data.eventType().topic(), e.subject(), EventCodec.toStructured(e))).get();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
