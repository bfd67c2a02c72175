package dev.faces.stack;

import dev.faces.core.ObjectKeys;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.messages.Bucket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Kafka and S3 for one machine: started here as child JVMs, or, when an endpoint is given, someone
 * else's servers used as they are. Either way the pipeline's topics and buckets exist afterwards.
 */
public final class LocalStack implements AutoCloseable {
    public static final List<String> BUCKETS = List.of(ObjectKeys.DATASETS_BUCKET, ObjectKeys.CHECKPOINTS_BUCKET);
    private static LocalStack shared;

    /**
     * Where and how to run. A non-null {@code externalKafka} / {@code externalS3} is used instead of
     * starting that server; port 0 picks a free port.
     */
    public record Settings(Path dataDir, int kafkaPort, int kafkaControllerPort, int s3Port,
                           String externalKafka, String externalS3, String accessKey, String secretKey) {

        /** The fixed ports of DESIGN §6, data under {@code dataDir}, and the environment's endpoints if set. */
        public static Settings fromEnvironment(Path dataDir, Map<String, String> env) {
            return new Settings(dataDir, 9092, 9093, 9000, blankToNull(env.get("KAFKA_BOOTSTRAP_SERVERS")),
                    blankToNull(env.get("S3_ENDPOINT")), env.getOrDefault("S3_ACCESS_KEY", S3Server.DEV_ACCESS_KEY),
                    env.getOrDefault("S3_SECRET_KEY", S3Server.DEV_SECRET_KEY));
        }

        /** Ephemeral ports in a fresh folder: what tests use. */
        public static Settings ephemeral(Path dataDir) {
            return new Settings(dataDir, 0, 0, 0, null, null, S3Server.DEV_ACCESS_KEY, S3Server.DEV_SECRET_KEY);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }

    private final Settings settings;
    private final KafkaBroker kafka;
    private final S3Server s3;
    private final String bootstrapServers;
    private final String s3Endpoint;
    private volatile List<String> topics = List.of();

    private LocalStack(Settings settings, KafkaBroker kafka, S3Server s3) {
        this.settings = settings;
        this.kafka = kafka;
        this.s3 = s3;
        this.bootstrapServers = kafka != null ? kafka.bootstrapServers() : settings.externalKafka();
        this.s3Endpoint = s3 != null ? s3.endpoint() : settings.externalS3();
    }

    public static LocalStack start(Settings settings) {
        Path logs = settings.dataDir().resolve("logs");
        KafkaBroker kafka = settings.externalKafka() != null ? null
                : new KafkaBroker(port(settings.kafkaPort()), port(settings.kafkaControllerPort()),
                settings.dataDir().resolve("kafka"), logs.resolve("kafka.log"));
        S3Server s3 = settings.externalS3() != null ? null
                : new S3Server(port(settings.s3Port()), settings.dataDir().resolve("s3"), logs.resolve("s3.log"));
        LocalStack stack = new LocalStack(settings, kafka, s3);
        try {
            // S3Proxy boots while the Kafka child formats its storage and starts.
            Thread s3Start = new Thread(() -> {
                if (s3 != null) {
                    s3.start();
                }
            }, "s3-start");
            RuntimeException[] s3Failure = new RuntimeException[1];
            s3Start.setUncaughtExceptionHandler((t, e) -> s3Failure[0] = e instanceof RuntimeException r ? r
                    : new IllegalStateException(e));
            s3Start.start();
            if (kafka != null) {
                kafka.start();
            }
            s3Start.join();
            if (s3Failure[0] != null) {
                throw s3Failure[0];
            }
            stack.createTopicsAndBuckets();
            return stack;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stack.close();
            throw new IllegalStateException("interrupted while starting the local stack", e);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * One stack per JVM for tests, on ephemeral ports in a temporary folder, removed at exit. Every test
     * class of a module shares it, so the broker starts once per module.
     */
    public static synchronized LocalStack shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("local-stack-");
                LocalStack stack = start(Settings.ephemeral(dir));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stack.close();
                    deleteRecursively(dir);
                }, "local-stack-stop"));
                shared = stack;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    public void createTopicsAndBuckets() {
        topics = KafkaBroker.createTopics(bootstrapServers);
        MinioClient client = s3Client();
        for (String bucket : BUCKETS) {
            try {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot create bucket " + bucket + " at " + s3Endpoint + ": " + e.getMessage(), e);
            }
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String s3Endpoint() {
        return s3Endpoint;
    }

    public String accessKey() {
        return settings.accessKey();
    }

    public String secretKey() {
        return settings.secretKey();
    }

    public Path dataDir() {
        return settings.dataDir();
    }

    public List<String> topics() {
        return topics;
    }

    public List<String> buckets() {
        try {
            return s3Client().listBuckets().stream().map(Bucket::name).sorted().toList();
        } catch (Exception e) {
            throw new IllegalStateException("cannot list buckets at " + s3Endpoint + ": " + e.getMessage(), e);
        }
    }

    /** A MinIO client for this stack's S3 server. */
    public MinioClient s3Client() {
        return MinioClient.builder().endpoint(s3Endpoint).credentials(accessKey(), secretKey()).region("us-east-1").build();
    }

    /** The broker this stack started, for drills; null when an external broker is used. */
    public KafkaBroker kafka() {
        return kafka;
    }

    /** The S3 server this stack started, for drills; null when an external server is used. */
    public S3Server s3() {
        return s3;
    }

    /** Config for a service of the pipeline: the Kafka and S3 properties its application.properties reads. */
    public Map<String, String> serviceConfig() {
        return Map.of("kafka.bootstrap.servers", bootstrapServers, "faces.s3.endpoint", s3Endpoint,
                "faces.s3.access-key", accessKey(), "faces.s3.secret-key", secretKey());
    }

    @Override
    public void close() {
        if (s3 != null) {
            s3.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static int port(int configured) {
        return configured == 0 ? Ports.free() : configured;
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
