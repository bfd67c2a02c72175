package dev.faces.stack;

import java.nio.file.Path;
import java.util.Map;

/** {@code ./pipeline stack}: Kafka on 9092 and S3 on 9000 with data under {@code .local/}, until Ctrl-C. */
public final class LocalStackMain {
    private LocalStackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of(".local");
        Map<String, String> env = System.getenv();
        LocalStack.Settings defaults = LocalStack.Settings.fromEnvironment(data, env);
        int kafkaPort = defaults.kafkaPort();
        int controllerPort = defaults.kafkaControllerPort();
        int s3Port = defaults.s3Port();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--data" -> data = Path.of(require(args[i], value));
                case "--kafka-port" -> kafkaPort = portArg(args[i], value);
                case "--kafka-controller-port" -> controllerPort = portArg(args[i], value);
                case "--s3-port" -> s3Port = portArg(args[i], value);
                default -> fail("unknown option " + args[i] + " (options: --data DIR, --kafka-port N, --kafka-controller-port N, --s3-port N)");
            }
            i++;
        }
        LocalStack.Settings settings = new LocalStack.Settings(data.toAbsolutePath(), kafkaPort, controllerPort, s3Port,
                defaults.externalKafka(), defaults.externalS3(), defaults.accessKey(), defaults.secretKey());
        System.out.println("Starting the local stack (data under " + data + ") ...");
        long t0 = System.nanoTime();
        LocalStack stack;
        try {
            stack = LocalStack.start(settings);
        } catch (Ports.PortInUseException e) {
            fail(e.getMessage());
            return;
        } catch (RuntimeException e) {
            fail("the local stack did not start: " + e.getMessage());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping the local stack ...");
            stack.close();
            System.out.println("Stopped. Data is kept under " + settings.dataDir() + ".");
        }, "stop"));
        System.out.printf("Kafka   %s%s%n", stack.bootstrapServers(),
                stack.kafka() == null ? "  (external, from KAFKA_BOOTSTRAP_SERVERS)" : "  log " + data.resolve("logs/kafka.log"));
        System.out.printf("S3      %s  key/secret %s/%s (development default)%s%n", stack.s3Endpoint(), stack.accessKey(),
                stack.accessKey().equals(S3Server.DEV_ACCESS_KEY) ? stack.secretKey() : "***",
                stack.s3() == null ? "  (external, from S3_ENDPOINT)" : "  log " + data.resolve("logs/s3.log"));
        System.out.println("topics  " + String.join(", ", stack.topics()));
        System.out.println("buckets " + String.join(", ", stack.buckets()));
        System.out.printf("Ready in %.1f s. Ctrl-C stops.%n", (System.nanoTime() - t0) / 1e9);
        Thread.currentThread().join();
    }

    private static String require(String option, String value) {
        if (value == null) {
            fail(option + " needs a value");
        }
        return value;
    }

    private static int portArg(String option, String value) {
        try {
            int port = Integer.parseInt(require(option, value));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            fail(option + " must be a port number between 1 and 65535, was '" + value + "'");
            return -1;
        }
    }

    private static void fail(String message) {
        System.err.println("pipeline stack: " + message);
        System.exit(2);
    }
}
