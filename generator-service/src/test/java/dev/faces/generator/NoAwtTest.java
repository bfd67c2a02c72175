package dev.faces.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.PngEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The native image has no AWT: a class of the generator or of pipeline-core that names java.awt or
 * javax.imageio would fail there at run time, so this test fails at build time instead.
 */
class NoAwtTest {
    private static final List<String> FORBIDDEN = List.of("java/awt/", "javax/imageio/");

    @Test
    void neitherTheGeneratorNorPipelineCoreUsesAwtOrImageIo() throws Exception {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> classes = Files.walk(Path.of("target/classes"))) {
            for (Path p : classes.filter(f -> f.toString().endsWith(".class")).toList()) {
                check(p.toString(), Files.readAllBytes(p), offenders);
            }
        }
        Path core = Path.of(PngEncoder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(core)) {
            try (Stream<Path> classes = Files.walk(core)) {
                for (Path p : classes.filter(f -> f.toString().endsWith(".class")).toList()) {
                    check(p.toString(), Files.readAllBytes(p), offenders);
                }
            }
        } else {
            try (JarFile jar = new JarFile(core.toFile())) {
                for (JarEntry e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                    try (InputStream in = jar.getInputStream(e)) {
                        check(e.getName(), in.readAllBytes(), offenders);
                    }
                }
            }
        }
        assertThat(offenders).as("classes that reference AWT or ImageIO").isEmpty();
    }

    private static void check(String name, byte[] classFile, List<String> offenders) throws IOException {
        // Class references are UTF-8 constants in the constant pool, so a plain byte search finds them.
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        for (String f : FORBIDDEN) {
            if (text.contains(f)) {
                offenders.add(name + " -> " + f);
            }
        }
    }
}
