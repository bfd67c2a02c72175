package dev.faces.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the workloads of {@link ManifestPods} with {@code podman kube play} on host networking, and takes them
 * down again. podman gets the repository's containers.conf (runc, ulimits every host takes).
 */
public final class PodmanPods implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** What a command printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {
    }

    private final Path root;
    private final Path playFile;
    private final ManifestPods pods;

    private PodmanPods(Path root, Path workDir, ManifestPods pods) {
        this.root = root;
        this.playFile = workDir.resolve("play.yaml");
        this.pods = pods;
    }

    /** Renders {@code overlay} with kubectl kustomize. */
    public static String render(Path overlay) {
        Path errors = null;
        try {
            errors = Files.createTempFile("kustomize-", ".err");
            Process p = new ProcessBuilder("kubectl", "kustomize", overlay.toString())
                    .redirectError(errors.toFile()).start();
            String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kubectl kustomize " + overlay + " failed: " + Files.readString(errors));
            }
            return yaml;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kubectl: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering " + overlay, e);
        } finally {
            if (errors != null) {
                errors.toFile().delete();
            }
        }
    }

    /**
     * Creates the podman secrets and plays the workloads; they start in the background. Fails, naming the command
     * that builds them, when an image is missing.
     */
    public static PodmanPods play(Path root, Path workDir, ManifestPods pods, ManifestPods.Local local) throws IOException {
        Files.createDirectories(workDir);
        PodmanPods p = new PodmanPods(root, workDir, pods);
        for (String image : pods.images()) {
            if (p.podman(Duration.ofSeconds(30), "image", "exists", image).exitCode() != 0) {
                throw new IllegalStateException("podman has no image " + image + ": build it with ./pipeline images");
            }
        }
        for (Map.Entry<String, String> s : pods.podmanSecrets(local).entrySet()) {
            Path file = workDir.resolve("secret-" + s.getKey() + ".json");
            Files.writeString(file, s.getValue());
            p.podman(Duration.ofSeconds(30), "secret", "rm", s.getKey()); // absent on a first run
            p.require(Duration.ofSeconds(30), "secret", "create", s.getKey(), file.toString());
            Files.delete(file);
        }
        Files.writeString(p.playFile, pods.playYaml(local));
        p.require(Duration.ofMinutes(3), "kube", "play", "--replace", "--network", "host", p.playFile.toString());
        return p;
    }

    /**
     * Waits until every probe answers 200 (podman 4.3 runs none of them itself); fails early when a container
     * has exited.
     */
    public void await(List<ManifestPods.Probe> probes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ManifestPods.Probe> waiting = new ArrayList<>(probes);
        while (!waiting.isEmpty()) {
            waiting.removeIf(PodmanPods::answers);
            for (ManifestPods.Probe probe : waiting) {
                String state = require(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Status}}",
                        probe.container()).trim();
                if (state.equals("exited") || state.equals("stopped")) {
                    throw new IllegalStateException(probe.container() + " has " + state + ":\n" + logs(probe.container()));
                }
            }
            if (!waiting.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not ready after " + timeout + ": " + waiting);
                }
                Thread.sleep(1000);
            }
        }
    }

    private static boolean answers(ManifestPods.Probe probe) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(probe.url())).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a command inside a container, as its user. */
    public Result exec(String container, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(List.of(command));
        return podman(Duration.ofMinutes(1), args.toArray(String[]::new));
    }

    public String logs(String container) {
        return podman(Duration.ofSeconds(30), "logs", container).output();
    }

    /** The host PID of a container's main process. */
    public long pid(String container) {
        return Long.parseLong(require(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Pid}}", container).trim());
    }

    /** Stops and removes the pods (their emptyDirs with them). */
    @Override
    public void close() {
        podman(Duration.ofMinutes(2), "kube", "down", playFile.toString());
    }

    private String require(Duration timeout, String... args) {
        Result r = podman(timeout, args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("podman " + String.join(" ", args) + " failed: " + r.output());
        }
        return r.output();
    }

    private Result podman(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Path out = null;
        try {
            out = Files.createTempFile("podman-", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("CONTAINERS_CONF", root.resolve("deploy/podman/containers.conf").toAbsolutePath().toString());
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " took longer than " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }
}
