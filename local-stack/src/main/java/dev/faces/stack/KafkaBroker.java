package dev.faces.stack;

import dev.faces.core.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node KRaft broker (broker and controller in one) in its own JVM. Storage is formatted
 * once; a second start on the same folder finds its topics and offsets again.
 *
 * <p>Besides its plain listener it has a SASL_PLAINTEXT SCRAM-SHA-512 listener ({@link #scramBootstrapServers})
 * with Kafka's ACL authorizer, as Strimzi runs it: clients there are the users {@link #addScramUser} made and
 * get only what ACLs allow. Plain connections are the super user ANONYMOUS, so everything else is unchanged.
 */
public final class KafkaBroker extends ChildServer {
    private final int port;
    private final int controllerPort;
    private final int scramPort = Ports.free();
    private final Path dataDir;
    private final Path logFile;

    public KafkaBroker(int port, int controllerPort, Path dataDir, Path logFile) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public int port() {
        return port;
    }

    /** The SCRAM-SHA-512 listener, where ACLs apply. */
    public String scramBootstrapServers() {
        return "localhost:" + scramPort;
    }

    /** Creates or updates a SCRAM-SHA-512 user (through the plain listener, as the super user). */
    public void addScramUser(String name, String password) {
        try (Admin admin = admin(bootstrapServers())) {
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                    name, new org.apache.kafka.clients.admin.ScramCredentialInfo(
                            org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create SCRAM user " + name + ": " + e.getMessage(), e);
        }
    }

    public KafkaBroker start() {
        Ports.requireFree(port, "Kafka", "Is another ./pipeline stack running? Stop it, or set KAFKA_BOOTSTRAP_SERVERS to use that broker.");
        Ports.requireFree(controllerPort, "Kafka controller", "Free it, or choose another with --kafka-controller-port.");
        Path config = writeConfig();
        String classpath = ChildJvm.buildProperty("kafka.classpath");
        List<String> jvm = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=" + writeLogConfig());
        try {
            if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
                ChildJvm format = ChildJvm.start("kafka-storage-format", classpath, jvm, "kafka.tools.StorageTool",
                        List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--ignore-formatted"),
                        logFile);
                if (format.waitFor(60) != 0) {
                    throw new IllegalStateException("formatting Kafka storage failed:\n" + format.tail(30));
                }
            }
            process = ChildJvm.start("kafka", classpath, jvm, "kafka.Kafka", List.of(config.toString()), logFile);
            awaitReady(Duration.ofSeconds(90));
            return this;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Creates the pipeline's topics (and their dead-letter topics) unless they exist. */
    public static List<String> createTopics(String bootstrapServers) {
        try (Admin admin = admin(bootstrapServers)) {
            for (String topic : Topics.all()) {
                try {
                    NewTopic t = new NewTopic(topic, Topics.partitions(topic), (short) 1);
                    if (Topics.isCompacted(topic)) {
                        t.configs(java.util.Map.of("cleanup.policy", "compact"));
                    }
                    admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().sorted().toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer: " + e.getMessage(), e);
        }
    }

    static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin(bootstrapServers())) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kafka exited during start-up; last lines of " + logFile + ":\n"
                            + process.tail(40));
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException notYet) {
                    // the broker is still starting
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka did not become ready within " + timeout.toSeconds()
                            + " s; last lines of " + logFile + ":\n" + process.tail(40));
                }
                Thread.sleep(200);
            }
        }
    }

    private Path writeConfig() {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort
                + ",SCRAM://127.0.0.1:" + scramPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port + ",SCRAM://localhost:" + scramPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SCRAM:SASL_PLAINTEXT");
        p.setProperty("listener.name.scram.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.setProperty("listener.name.scram.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.setProperty("super.users", "User:ANONYMOUS");
        p.setProperty("allow.everyone.if.no.acl.found", "false");
        p.setProperty("log.dirs", dataDir.resolve("logs").toString());
        p.setProperty("num.partitions", String.valueOf(Topics.PARTITIONS));
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "5");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        // Shards are announced, not carried: events stay small, but checkpoints' metadata may grow.
        p.setProperty("message.max.bytes", String.valueOf(2 << 20));
        try {
            Files.createDirectories(dataDir);
            Path file = dataDir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(file)) {
                p.store(out, "written by local-stack on every start");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path writeLogConfig() {
        String config = """
                status = warn
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%c{1}] %m%n
                rootLogger.level = warn
                rootLogger.appenderRef.out.ref = out
                logger.server.name = kafka.server.KafkaRaftServer
                logger.server.level = info
                logger.broker.name = kafka.server.BrokerServer
                logger.broker.level = info
                """;
        try {
            Path file = dataDir.resolve("log4j2.properties");
            Files.writeString(file, config);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
