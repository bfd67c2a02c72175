package dev.faces.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code ./pipeline containers}: the images of {@code ./pipeline images}, run from the pod specs of the rendered
 * dev overlay with podman kube play, against {@code ./pipeline stack} (or KAFKA_BOOTSTRAP_SERVERS, S3_ENDPOINT,
 * S3_ACCESS_KEY, S3_SECRET_KEY), until Ctrl-C. What is mapped between a cluster and this machine:
 * {@link ManifestPods}.
 */
public final class ContainersMain {
    private ContainersMain() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path overlay = root.resolve(args.length > 1 ? args[1] : "deploy/k8s/overlays/dev");
        Map<String, String> env = System.getenv();
        ManifestPods.Local local = new ManifestPods.Local(
                env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
                env.getOrDefault("S3_ENDPOINT", "http://localhost:9000"),
                env.getOrDefault("S3_ACCESS_KEY", S3Server.DEV_ACCESS_KEY),
                env.getOrDefault("S3_SECRET_KEY", S3Server.DEV_SECRET_KEY));
        String kafka = local.kafkaBootstrap().split(",")[0];
        URI s3 = URI.create(local.s3Endpoint());
        for (var server : List.of(Map.entry("Kafka", new InetSocketAddress(kafka.substring(0, kafka.lastIndexOf(':')),
                        Integer.parseInt(kafka.substring(kafka.lastIndexOf(':') + 1)))),
                Map.entry("S3", new InetSocketAddress(s3.getHost(), s3.getPort() > 0 ? s3.getPort() : 80)))) {
            try (Socket socket = new Socket()) {
                socket.connect(server.getValue(), 2000);
            } catch (IOException e) {
                System.err.println("pipeline containers: no " + server.getKey() + " at " + server.getValue()
                        + ": start ./pipeline stack in another terminal first (or set KAFKA_BOOTSTRAP_SERVERS, S3_ENDPOINT)");
                System.exit(2);
            }
        }
        System.out.println("Rendering " + root.relativize(overlay) + " ...");
        ManifestPods pods = ManifestPods.of(PodmanPods.render(overlay));
        System.out.println("Playing " + ManifestPods.SERVICES + " with podman kube play (Kafka " + local.kafkaBootstrap()
                + ", S3 " + local.s3Endpoint() + ") ...");
        PodmanPods running;
        try {
            running = PodmanPods.play(root, root.resolve(".local/containers"), pods, local);
        } catch (IllegalStateException e) {
            System.err.println("pipeline containers: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping the containers ...");
            running.close();
        }, "stop"));
        long t0 = System.nanoTime();
        try {
            running.await(pods.started(), Duration.ofMinutes(5));
        } catch (IllegalStateException e) {
            System.err.println("pipeline containers: " + e.getMessage());
            System.exit(1);
        }
        System.out.printf("Started in %.0f s; readiness (the generator is ready once it serves a model):%n",
                (System.nanoTime() - t0) / 1e9);
        pods.readiness().forEach(p -> System.out.printf("  %-48s %s%n", p.container(), p.url()));
        System.out.println("Logs: podman logs -f <container>. Ctrl-C stops and removes them.");
        Thread.currentThread().join();
    }
}
