package dev.faces.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * A real S3 server: S3Proxy storing objects as files, in its own JVM (its fat jar carries Guice 7,
 * which must never share a classpath with Quarkus tests). Authentication is AWS SigV2/SigV4.
 */
public final class S3Server extends ChildServer {
    public static final String DEV_ACCESS_KEY = "minioadmin";
    public static final String DEV_SECRET_KEY = "minioadmin";

    private final int port;
    private final Path dataDir;
    private final Path logFile;

    public S3Server(int port, Path dataDir, Path logFile) {
        this.port = port;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    public String endpoint() {
        return "http://localhost:" + port;
    }

    public S3Server start() {
        Ports.requireFree(port, "S3", "Is another ./pipeline stack running? Stop it, or set S3_ENDPOINT to use that server.");
        Path config = writeConfig();
        // A young generation that holds several 12 MB request bodies: with 256 MB in all, S3Proxy ran a full GC of
        // 30-65 ms every other shard (0.7 s of pauses in two 20,000-image ingests).
        process = ChildJvm.start("s3proxy", ChildJvm.buildProperty("s3proxy.jar"),
                List.of("-Xms32m", "-Xmx768m", "-Xmn384m", "-XX:+UseSerialGC"),
                "org.gaul.s3proxy.Main", List.of("--properties", config.toString()), logFile);
        try {
            awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited during start-up; last lines of " + logFile + ":\n"
                        + process.tail(40));
            }
            try {
                // Any HTTP answer (403 for an unsigned request) means the server is up.
                http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting S3Proxy", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not answer within " + timeout.toSeconds() + " s; last lines of "
                        + logFile + ":\n" + process.tail(40));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private Path writeConfig() {
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", DEV_ACCESS_KEY);
        p.setProperty("s3proxy.credential", DEV_SECRET_KEY);
        // filesystem-nio2 (unlike filesystem) lists no phantom "dir/" entries; it wants dummy credentials.
        p.setProperty("jclouds.provider", "filesystem-nio2");
        p.setProperty("jclouds.filesystem.basedir", dataDir.resolve("buckets").toString());
        p.setProperty("jclouds.identity", "local");
        p.setProperty("jclouds.credential", "local");
        try {
            Files.createDirectories(dataDir.resolve("buckets"));
            Path file = dataDir.resolve("s3proxy.properties");
            try (var out = Files.newBufferedWriter(file)) {
                p.store(out, "written by local-stack on every start");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
