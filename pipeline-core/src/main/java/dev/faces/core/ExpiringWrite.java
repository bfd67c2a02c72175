package dev.faces.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A PUT or DELETE signed when it is made, as a presigned request (SigV4 in the query, {@code X-Amz-Expires}), so
 * that the server refuses it once its validity has passed, however long the writer was frozen before it sent it.
 * This bounds, on the server's clock, how late a write decided on earlier can land: a writer checks what it must
 * check after signing and sends within the validity, or the write is refused and it checks again.
 *
 * <p>The metadata headers are signed with it (S3 refuses unsigned {@code x-amz-*} headers on a presigned request);
 * the condition ({@code If-Match} / {@code If-None-Match}) is chosen when sending. Transient failures are retried
 * while the signature is valid; the server refuses it after that, and it is {@link ExpiredException expired}. The
 * client never checks the clock before sending: the refusal is the server's.
 */
public final class ExpiringWrite {
    private static final long RETRY_BACKOFF_MS = 200;

    private final OkHttpClient http;
    private final String method;
    private final String what;
    private final HttpUrl url;
    private final Map<String, String> signedHeaders;
    private final Instant expires;

    /** The server refused the write because its signature expired, or it was not sent in time. */
    public static final class ExpiredException extends RuntimeException {
        ExpiredException(String message) {
            super(message);
        }
    }

    record Credentials(String region, String accessKey, String secretKey) {
    }

    private ExpiringWrite(OkHttpClient http, String method, String what, HttpUrl url, Map<String, String> signedHeaders,
                          Instant expires) {
        this.http = http;
        this.method = method;
        this.what = what;
        this.url = url;
        this.signedHeaders = signedHeaders;
        this.expires = expires;
    }

    static ExpiringWrite sign(OkHttpClient http, HttpUrl base, Credentials creds, String method, String bucket,
                              String key, Map<String, String> metadata, Duration validity) {
        long seconds = Math.max(1, validity.toSeconds());
        Instant now = Instant.now();
        HttpUrl unsigned = base.newBuilder().addPathSegment(bucket).addPathSegments(key).build();
        Map<String, String> headers = new TreeMap<>();
        headers.put("host", io.minio.http.HttpUtils.getHostHeader(unsigned));
        metadata.forEach((k, v) -> headers.put("x-amz-meta-" + k.toLowerCase(java.util.Locale.ROOT), v.trim()));
        String date = ChecksummedPut.AMZ_DATE.format(now.atZone(ZoneOffset.UTC));
        String scope = date.substring(0, 8) + "/" + creds.region() + "/s3/aws4_request";
        HttpUrl.Builder url = unsigned.newBuilder()
                .addQueryParameter("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
                .addQueryParameter("X-Amz-Credential", creds.accessKey() + "/" + scope)
                .addQueryParameter("X-Amz-Date", date)
                .addQueryParameter("X-Amz-Expires", Long.toString(seconds))
                .addQueryParameter("X-Amz-SignedHeaders", String.join(";", headers.keySet()));
        StringBuilder path = new StringBuilder();
        for (String segment : (bucket + "/" + key).split("/", -1)) {
            path.append('/').append(encode(segment));
        }
        String canonicalRequest = method + "\n" + path + "\n" + canonicalQuery(url.build()) + "\n"
                + canonicalHeaders(headers) + "\n" + String.join(";", headers.keySet()) + "\nUNSIGNED-PAYLOAD";
        String toSign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n"
                + Digests.sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] k = hmac(("AWS4" + creds.secretKey()).getBytes(StandardCharsets.UTF_8), date.substring(0, 8));
        k = hmac(hmac(hmac(k, creds.region()), "s3"), "aws4_request");
        url.addQueryParameter("X-Amz-Signature", java.util.HexFormat.of().formatHex(hmac(k, toSign)));
        return new ExpiringWrite(http, method, method + " s3://" + bucket + "/" + key, url.build(), headers,
                now.plusSeconds(seconds));
    }

    /**
     * Sends the PUT on a condition: {@code ifMatch} the object's ETag, or null for "must not exist". Returns the new
     * ETag. Throws {@link ObjectStore.PreconditionFailedException} on 412 and {@link ExpiredException} once expired.
     */
    public String put(byte[] data, String contentType, String ifMatch) {
        Request.Builder request = request().put(RequestBody.create(data, MediaType.parse(contentType)));
        request.header(ifMatch == null ? "If-None-Match" : "If-Match", ifMatch == null ? "*" : "\"" + ifMatch + "\"");
        String etag = send(request.build());
        return etag == null ? "" : etag.replace("\"", "");
    }

    /** Sends the DELETE; throws {@link ExpiredException} once expired. */
    public void delete() {
        send(request().delete().build());
    }

    private Request.Builder request() {
        Request.Builder b = new Request.Builder().url(url);
        signedHeaders.forEach((name, value) -> b.header(name.equals("host") ? "Host" : name, value));
        return b;
    }

    private String send(Request request) {
        while (true) {
            try (Response response = http.newCall(request).execute()) {
                if (response.isSuccessful()) {
                    return response.header("ETag");
                }
                String answer = ChecksummedPut.answer(response);
                if (response.code() == 412) {
                    throw new ObjectStore.PreconditionFailedException(what + " refused: its condition does not hold");
                }
                if (response.code() == 403 && !Instant.now().isBefore(expires)) {
                    throw new ExpiredException(what + " refused after its signature expired at " + expires + ": "
                            + answer);
                }
                if (response.code() < 500) {
                    throw new ObjectStore.StorageException(what + " failed: " + answer, null);
                }
            } catch (IOException e) {
                if (!Instant.now().isBefore(expires)) {
                    throw new ExpiredException(what + ": no answer before its signature expired at " + expires);
                }
            }
            try {
                Thread.sleep(RETRY_BACKOFF_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ExpiredException(what + ": interrupted");
            }
        }
    }

    private static String canonicalQuery(HttpUrl url) {
        Map<String, String> sorted = new TreeMap<>();
        for (String name : url.queryParameterNames()) {
            sorted.put(encode(name), encode(url.queryParameter(name)));
        }
        StringBuilder out = new StringBuilder();
        sorted.forEach((k, v) -> out.append(out.isEmpty() ? "" : "&").append(k).append('=').append(v));
        return out.toString();
    }

    private static String canonicalHeaders(Map<String, String> headers) {
        StringBuilder out = new StringBuilder();
        headers.forEach((k, v) -> out.append(k).append(':').append(v.replaceAll("\\s+", " ")).append('\n'));
        return out.toString();
    }

    /** RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX. */
    private static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", (int) c));
            }
        }
        return out.toString();
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }
}
