import dev.faces.core.Digests;
import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import dev.faces.ingest.preprocess.ImageDecoder;
import dev.faces.ingest.preprocess.Preprocessor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * scripts/bench-ingest.sh, the profile: where one image's time goes, on one thread, files already in memory.
 * The ImageIO path (decode + TutorialTransform), the native decode + TutorialTransform, the one native call, and
 * per shard of 1,000: the .npy encoding and its SHA-256.
 */
public class IngestStagesBench {
    public static void main(String[] args) throws Exception {
        List<byte[]> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(args[0], "img_align_celeba")).sorted()) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (files.size() == 4000) {
                    break; // enough for the profile, and the decoded copies of 4,000 fit the heap
                }
                files.add(Files.readAllBytes(p));
            }
        }
        System.out.println("JPEG decoder: " + ImageDecoder.jpegDecoder());
        Class<?> io = Class.forName("dev.faces.ingest.preprocess.ImageIoDecoder");
        Method ioDecode = io.getDeclaredMethod("decode", byte[].class);
        ioDecode.setAccessible(true);
        Class<?> turbo = Class.forName("dev.faces.ingest.preprocess.LibjpegTurbo");
        Method turboDecode = turbo.getDeclaredMethod("decode", byte[].class);
        turboDecode.setAccessible(true);
        Class<?> transform = Class.forName("dev.faces.ingest.preprocess.TutorialTransform");
        Method apply = transform.getDeclaredMethod("apply", Class.forName("dev.faces.ingest.preprocess.DecodedImage"));
        for (int round = 0; round < 2; round++) {
            time(round, "ImageIO decode", files, f -> ioDecode.invoke(null, f));
            time(round, "libjpeg-turbo decode (JNI, to BGR)", files, f -> turboDecode.invoke(null, f));
            time(round, "Java transform (of a decoded image)", files, decodedOnce(files, turboDecode), apply);
            time(round, "native decode + transform, one call", files, f -> Preprocessor.tutorialPixels(f));
        }
        byte[] pixels = new byte[1000 * 3 * 64 * 64];
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            byte[] npy = null;
            for (int i = 0; i < 20; i++) {
                npy = Npy.write(NpyArray.uint8(pixels, 1000, 3, 64, 64));
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                Digests.sha256(npy);
            }
            long t2 = System.nanoTime();
            System.out.printf("STAGE round %d: per shard of 1000: npy encoding %.2f ms, SHA-256 %.2f ms%n", round,
                    (t1 - t0) / 20e6, (t2 - t1) / 20e6);
        }
    }

    interface Step {
        Object run(byte[] file) throws Exception;
    }

    private static List<Object> decodedOnce(List<byte[]> files, Method decode) throws Exception {
        List<Object> out = new ArrayList<>();
        for (byte[] f : files) {
            Object d = decode.invoke(null, f);
            var rec = d.getClass();
            int w = (int) rec.getMethod("width").invoke(d);
            int h = (int) rec.getMethod("height").invoke(d);
            byte[] bgr = ((byte[]) rec.getMethod("bgr").invoke(d)).clone();
            out.add(rec.getDeclaredConstructors()[0].newInstance(w, h, bgr));
        }
        return out;
    }

    private static void time(int round, String what, List<byte[]> files, Step step) throws Exception {
        long t0 = System.nanoTime();
        for (byte[] f : files) {
            step.run(f);
        }
        report(round, what, files.size(), System.nanoTime() - t0);
    }

    private static void time(int round, String what, List<byte[]> files, List<Object> decoded, Method apply)
            throws Exception {
        long t0 = System.nanoTime();
        for (Object d : decoded) {
            apply.invoke(null, d);
        }
        report(round, what, files.size(), System.nanoTime() - t0);
    }

    private static void report(int round, String what, int n, long nanos) {
        System.out.printf("STAGE round %d: %-38s %7.1f us/image  %6.0f images/s (1 thread)%n", round, what,
                nanos / 1e3 / n, n / (nanos / 1e9));
    }
}
