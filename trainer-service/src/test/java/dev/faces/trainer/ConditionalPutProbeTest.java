package dev.faces.trainer;

import dev.faces.stack.LocalStack;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.ByteArrayInputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionalPutProbeTest {
    @Test
    void probe() throws Exception {
        LocalStack stack = LocalStack.shared();
        MinioClient c = stack.s3Client();
        String key = "probe/" + System.nanoTime() + "/x.json";
        put(c, key, "a", Map.of("If-None-Match", "*"));
        put(c, key, "b", Map.of("If-None-Match", "*"));
        var st = c.statObject(StatObjectArgs.builder().bucket("faces-checkpoints").object(key).build());
        String etag = st.etag();
        System.out.println("PROBE etag " + etag + " meta " + st.userMetadata());
        put(c, key, "c", Map.of("If-Match", "\"deadbeef\""));
        put(c, key, "d", Map.of("If-Match", etag));
        put(c, key, "e", Map.of("If-Match", etag));
    }

    private static void put(MinioClient c, String key, String body, Map<String, String> headers) throws Exception {
        try {
            var r = c.putObject(PutObjectArgs.builder().bucket("faces-checkpoints").object(key)
                    .stream(new ByteArrayInputStream(body.getBytes()), body.length(), -1).headers(headers)
                    .userMetadata(Map.of("lease-epoch", "3")).build());
            System.out.println("PROBE " + body + " " + headers + " -> ok " + r.etag());
        } catch (ErrorResponseException e) {
            System.out.println("PROBE " + body + " " + headers + " -> " + e.response().code() + " " + e.errorResponse().code());
        }
    }
}
