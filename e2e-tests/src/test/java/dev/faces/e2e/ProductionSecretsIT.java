package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.stack.ServiceProcess;
import dev.faces.stack.ServiceProcess.Service;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packaged services run their prod profile, which must not fall back to the development secrets: each
 * refuses to start without ADMIN_TOKEN, S3_ACCESS_KEY or S3_SECRET_KEY, and says which one is missing.
 */
class ProductionSecretsIT {

    @ParameterizedTest
    @EnumSource(Service.class)
    void refusesToStartWithoutEachSecretAndNamesIt(Service service) throws Exception {
        for (String missing : ServiceProcess.DEV_SECRETS.keySet()) {
            Run run = start(service, missing);
            assertThat(run.exitCode).as("%s without %s: exit code", service.module, missing).isNotZero();
            assertThat(run.output).as("%s without %s", service.module, missing)
                    .contains("Could not expand value " + missing);
        }
    }

    private record Run(int exitCode, String output) {
    }

    private static Run start(Service service, String missing) throws Exception {
        Path jar = service.jar(Pipeline.ROOT);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeAll(ServiceProcess.DEV_SECRETS.keySet());
        ServiceProcess.DEV_SECRETS.forEach((name, value) -> {
            if (!name.equals(missing)) {
                env.put(name, value);
            }
        });
        // Nothing is listening here: a service that started anyway would fail later, not at configuration.
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        env.put("S3_ENDPOINT", "http://127.0.0.1:1");
        Path log = java.nio.file.Files.createTempFile("prod-" + service.module + "-", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(service.module + " without " + missing + " was still running after 60 s");
        }
        return new Run(process.exitValue(), java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
    }
}
