package dev.faces.stack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.events.EventCodec;
import dev.faces.stack.ServiceProcess.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./pipeline up}: the local stack, the three packaged services as processes, a data set ingested (CelebA
 * or a generated sample), training started by the ingest's completion, faces served at :8080, and one live
 * progress view, until Ctrl-C stops everything in order.
 */
public final class PipelineUp {
    /** Set when Ctrl-C begins the shutdown, so the progress view falls silent and exits pass unreported. */
    static final AtomicBoolean STOPPING = new AtomicBoolean();
    static final String ADMIN_TOKEN = System.getenv().getOrDefault("ADMIN_TOKEN", "dev-admin-token");

    /** Faces in the default generated sample. */
    static final int DEFAULT_SAMPLE = 7808;

    /** The command line: {@code celeba} null means a generated sample of {@code images} faces. */
    record Args(Path root, Path data, Path celeba, Integer images, int epochs) {
        static Args parse(String[] argv) {
            Path root = Path.of("").toAbsolutePath();
            Path data = null;
            Path celeba = null;
            Integer images = null;
            int epochs = 5;
            for (int i = 0; i < argv.length; i++) {
                String option = argv[i];
                String value = i + 1 < argv.length ? argv[++i] : null;
                if (value == null) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                switch (option) {
                    case "--root" -> root = Path.of(value).toAbsolutePath();
                    case "--data" -> data = Path.of(value).toAbsolutePath();
                    case "--celeba" -> celeba = Path.of(value).toAbsolutePath().normalize();
                    case "--images" -> images = number(option, value, 1, 1_000_000);
                    case "--epochs" -> epochs = number(option, value, 0, 1000);
                    default -> throw new IllegalArgumentException("unknown option " + option
                            + " (options: --celeba DIR|ZIP, --images N, --epochs N)");
                }
            }
            if (celeba != null && !Files.exists(celeba)) {
                throw new IllegalArgumentException("--celeba " + celeba + " does not exist (give the img_align_celeba/ "
                        + "folder, the folder holding it, or img_align_celeba.zip)");
            }
            return new Args(root, data == null ? root.resolve(".local") : data, celeba, images, epochs);
        }

        private static int number(String option, String value, int min, int max) {
            try {
                int n = Integer.parseInt(value);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " must be a whole number from " + min + " to " + max
                    + ", was '" + value + "'");
        }

        String datasetId() {
            if (celeba == null) {
                return "sample-" + sampleSize();
            }
            return images == null ? "celeba" : "celeba-" + images;
        }

        int sampleSize() {
            // 512 held back for SWD, then 57 batches of 128 an epoch: 285 steps, where faces show hair and eyes,
            // in under 15 min on 2 cores (docs/QUALITY.md). 260 steps looked grey; 300 took 15.2 min here.
            return images == null ? DEFAULT_SAMPLE : images;
        }
    }

    private PipelineUp() {
    }

    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv);
            for (Service s : Service.values()) {
                Ports.requireFree(s.defaultPort, s.module, "Is another ./pipeline up running? Stop it first.");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            fail(e.getMessage());
            return;
        }
        Path logs = args.data().resolve("logs");
        Files.createDirectories(logs);
        System.out.println("Starting Kafka and S3 (data under " + args.data() + ") ...");
        LocalStack stack;
        try {
            stack = LocalStack.start(LocalStack.Settings.fromEnvironment(args.data(), System.getenv()));
        } catch (RuntimeException e) {
            fail(e.getMessage());
            return;
        }
        AtomicReference<PipelineServices> running = new AtomicReference<>();
        // One hook, because hooks run concurrently: the services stop first, then Kafka and S3.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            STOPPING.set(true);
            PipelineServices services = running.get();
            if (services != null) {
                System.out.println("\nStopping (the trainer finishes its step and saves) ...");
                services.close();
            }
            stack.close();
            System.out.println("Stopped. Data, checkpoints and logs are kept under " + args.data() + ".");
        }, "stop"));
        Path source = args.celeba() != null ? args.celeba() : sample(args.data(), args.sampleSize());

        List<Path> roots = new ArrayList<>(List.of(args.data()));
        roots.add(Files.isDirectory(source) ? source : source.getParent());
        Map<String, String> trainerEnv = Map.of("AUTO_TRAIN", String.valueOf(args.epochs() > 0),
                "AUTO_TRAIN_EPOCHS", String.valueOf(Math.max(1, args.epochs())));
        PipelineServices.Options options = new PipelineServices.Options(args.root(), logs, args.data().resolve("trainer"),
                roots, Map.of(), Map.of(Service.TRAINER, trainerEnv));
        System.out.println("Starting ingest-service :8081, trainer-service :8082, generator-service :8080 (logs in "
                + logs + ") ...");
        try {
            running.set(PipelineServices.start(stack, options, Duration.ofMinutes(3)));
        } catch (IllegalStateException e) {
            fail(e.getMessage());
            return;
        }
        new PipelineRun(args, running.get(), source).run();
    }

    /** The generated sample for {@code n} faces, written once and reused. */
    private static Path sample(Path data, int n) throws IOException {
        Path dir = data.resolve("sample-" + n);
        Path done = dir.resolve(".complete");
        if (!Files.exists(done)) {
            System.out.printf("Writing a sample of %d procedural faces to %s ...%n", n, dir);
            SampleFaces.write(dir, n, 42);
            Files.writeString(done, "seed 42\n");
        }
        return dir;
    }

    static String ingestRequest(Args args, Path source) {
        ObjectNode body = EventCodec.json().createObjectNode();
        body.put("source", source.toString());
        body.put("datasetId", args.datasetId());
        if (args.celeba() != null && args.images() != null) {
            body.put("limit", args.images());
        }
        return body.toString();
    }

    static void fail(String message) {
        System.err.println("pipeline up: " + message);
        System.exit(2);
    }
}
