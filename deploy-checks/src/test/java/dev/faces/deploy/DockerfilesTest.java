package dev.faces.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM images are built and run in e2e-tests (ContainersIT); these checks keep what cannot be built here (the
 * native and CUDA images) and the images' names consistent with the Maven build, the native sources step of
 * .ci/run and the manifests.
 */
class DockerfilesTest {
    private static String read(String path) throws Exception {
        return Files.readString(Repo.ROOT.resolve(path));
    }

    @Test
    void theJvmGeneratorStartsWithTheVectorApiModule() throws Exception {
        assertThat(read("generator-service/src/main/docker/Dockerfile.jvm"))
                .containsPattern("ENTRYPOINT .*java --add-modules jdk.incubator.vector");
    }

    @Test
    void theIngestImageBuildsAndRunsWithLibjpegTurbo() throws Exception {
        String dockerfile = read("ingest-service/src/main/docker/Dockerfile.jvm");
        // what src/main/c/build.sh compiles against, and the library it links at run time
        assertThat(read("ingest-service/src/main/c/build.sh")).contains("-ljpeg").contains("jpeglib.h");
        // the runtime has libjpeg.so.62: from the official base's packages, or already in the Debian-made base
        assertThat(dockerfile).containsPattern("ARG RUNTIME_IMAGE=debian:12")
                .containsPattern("(?s)FROM \\$\\{RUNTIME_IMAGE}.*libjpeg.so.62.*libjpeg62-turbo");
        assertThat(read("scripts/images.sh")).containsPattern("BASE_PACKAGES=.*libjpeg62-turbo");
    }

    /** Base images are build arguments whose defaults name no registry; Quarkus' images take it as an argument. */
    @Test
    void noDockerfileNamesARegistry() throws Exception {
        Pattern image = Pattern.compile("(?m)^(?:ARG \\w+_IMAGE=|FROM )(\\S+)");
        List<String> seen = new ArrayList<>();
        for (String service : Invariants.SERVICES) {
            try (var files = Files.list(Repo.ROOT.resolve(service).resolve("src/main/docker"))) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("Dockerfile")).toList()) {
                    Matcher m = image.matcher(Files.readString(f));
                    while (m.find()) {
                        seen.add(m.group(1));
                        assertThat(Invariants.registryHost(m.group(1))).as(f + ": " + m.group(1)).isEmpty();
                    }
                }
            }
        }
        assertThat(seen).contains("${QUARKUS_REGISTRY}/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-25");
    }

    @Test
    void theNativeBuildRunsTheSourcesStepOfCiThenNativeImage() throws Exception {
        String dockerfile = read("generator-service/src/main/docker/Dockerfile.native");
        String ci = read(".ci/run");
        Matcher mvn = Pattern.compile("RUN (mvn [^\\n]+)").matcher(dockerfile);
        assertThat(mvn.find()).isTrue();
        assertThat(ci).as(".ci/run runs the Dockerfile's first stage").contains(mvn.group(1));
        assertThat(dockerfile).contains("native-image -J-Xmx6g $(cat native-image.args)")
                .contains("COPY . .").contains("ubi9-quarkus-mandrel-builder-image:jdk-25");
        // The context is the repository root: every module of the reactor must reach it.
        List<String> ignored = Files.readAllLines(Repo.ROOT.resolve(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(read("pom.xml"));
        while (module.find()) {
            assertThat(ignored).as(".dockerignore keeps module " + module.group(1)).doesNotContain(module.group(1));
        }
    }

    @Test
    void theCudaImageBringsTheLibtorchThatTheServiceIsBuiltFor() throws Exception {
        String dockerfile = read("trainer-service/src/main/docker/Dockerfile.cuda");
        Matcher version = Pattern.compile("<pytorch.version>([^<]+)</pytorch.version>").matcher(read("pom.xml"));
        assertThat(version.find()).isTrue();
        assertThat(dockerfile).contains("PYTORCH_VERSION=" + version.group(1)).contains("PYTORCH_FLAVOR=cu128")
                .contains("PYTORCH_LIBRARY_PATH=/opt/libtorch/lib").contains("nvidia/cuda:12.8");
        assertThat(getClass().getClassLoader().getResource("jnilib/linux-x86_64/cu128/libdjl_torch.so"))
                .as("DJL's JNI library for cu128 in pytorch-jni").isNotNull();
    }

    @Test
    void everyImageOfThePipelineInTheManifestsIsOneADockerfileBuilds() throws Exception {
        Set<String> built = new TreeSet<>();
        Matcher tag = Pattern.compile("-t (faces/[a-z-]+:[0-9.]+)").matcher("");
        for (String module : List.of("ingest-service", "trainer-service", "generator-service")) {
            try (var files = Files.list(Repo.ROOT.resolve(module).resolve("src/main/docker"))) {
                for (Path f : files.toList()) {
                    tag.reset(Files.readString(f));
                    while (tag.find()) {
                        built.add(tag.group(1));
                    }
                }
            }
        }
        List<String> used = new ArrayList<>();
        for (String overlay : List.of("overlays/dev", "overlays/prod", "overlays/gpu")) {
            for (JsonNode o : Manifests.render(Repo.K8S.resolve(overlay))) {
                for (Workloads.Pod pod : Workloads.of(List.of(o)).pods()) {
                    pod.containers().stream().map(c -> c.path("image").asText()).filter(i -> i.startsWith("faces/"))
                            .forEach(used::add);
                }
            }
        }
        assertThat(used).isNotEmpty();
        assertThat(built).containsAll(used);
        Matcher scriptTag = Pattern.compile("\nTAG=([0-9.]+)").matcher(read("scripts/images.sh"));
        assertThat(scriptTag.find()).isTrue();
        assertThat(used).as("./pipeline images tags what the manifests run").allMatch(i -> i.endsWith(":" + scriptTag.group(1)));
    }
}
