package dev.faces.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One signed PUT of a body whose SHA-256 the caller already has, such as a shard's, which goes into its sidecar
 * and its event, where consumers check it before they use the bytes.
 *
 * <p>The transfer is guarded by S3's flexible checksum: a CRC-32 in a signed header ({@code x-amz-checksum-crc32}),
 * which the server checks as it streams the body to storage, refusing a body that differs. The payload itself is
 * not signed: a signed one has the server buffer the whole body and hash it before storing it (S3Proxy hashed
 * each 12 MB shard twice), and a SHA-256 checksum header cost the server a fifth of its time per shard where a
 * CRC-32 costs about a microsecond. The digest is kept as the object's metadata ({@code x-amz-meta-sha256}) for
 * whoever browses the bucket. The body is neither hashed again nor copied into buffers of this client's own.
 */
final class ChecksummedPut {
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final Pattern S3_ERROR_CODE = Pattern.compile("<Code>([^<]{1,100})</Code>");
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.US);

    private final OkHttpClient http;
    private final HttpUrl baseUrl;
    private final ExpiringWrite.Credentials creds;

    ChecksummedPut(OkHttpClient http, HttpUrl baseUrl, ExpiringWrite.Credentials creds) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.creds = creds;
    }

    /** "S3 answered 403 AccessDenied": the status and the error document's code, read within a bound. */
    static String answer(Response response) throws IOException {
        Matcher code = S3_ERROR_CODE.matcher(response.peekBody(4096).string());
        return "S3 answered " + response.code() + (code.find() ? " " + code.group(1) : "");
    }

    static int crc32(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return (int) crc.getValue();
    }

    /** Throws IOException when worth retrying (no answer, or a 5xx), {@link RefusedException} for a 4xx. */
    void put(String bucket, String key, byte[] data, String contentType, String sha256Hex, int crc32)
            throws IOException, RefusedException {
        HttpUrl url = baseUrl.newBuilder().addPathSegment(bucket).addPathSegments(key).build();
        Request request = new Request.Builder().url(url)
                .header("Host", io.minio.http.HttpUtils.getHostHeader(url))
                .header("x-amz-date", AMZ_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)))
                .header("x-amz-content-sha256", UNSIGNED_PAYLOAD)
                .header("x-amz-checksum-crc32",
                        Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt(crc32).array()))
                .header("x-amz-meta-sha256", sha256Hex)
                .put(RequestBody.create(data, MediaType.parse(contentType)))
                .build();
        Request signed;
        try {
            signed = io.minio.Signer.signV4S3(request, creds.region(), creds.accessKey(), creds.secretKey(), UNSIGNED_PAYLOAD);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
        try (Response response = http.newCall(signed).execute()) {
            if (response.isSuccessful()) {
                return;
            }
            String what = answer(response);
            if (response.code() >= 500) {
                throw new IOException(what); // retried, as the MinIO client's 5xx are
            }
            throw new RefusedException(what);
        }
    }

    /** The server refused the request (4xx): not worth retrying. */
    static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }
}
