package dev.faces.core;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
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
        int seconds = (int) Math.max(1, validity.toSeconds());
        Instant now = Instant.now();
        HttpUrl unsigned = base.newBuilder().addPathSegment(bucket).addPathSegments(key).build();
        Map<String, String> headers = new TreeMap<>();
        headers.put("Host", io.minio.http.HttpUtils.getHostHeader(unsigned));
        metadata.forEach((k, v) -> headers.put("x-amz-meta-" + k.toLowerCase(java.util.Locale.ROOT), v.trim()));
        // The MinIO client's presigner signs every header of the request but x-amz-date, which dates the signature.
        Request.Builder toSign = new Request.Builder().url(unsigned).method(method,
                method.equals("PUT") ? RequestBody.create(new byte[0]) : null);
        headers.forEach(toSign::header);
        toSign.header("x-amz-date", ChecksummedPut.AMZ_DATE.format(now.atZone(ZoneOffset.UTC)));
        HttpUrl url;
        try {
            url = io.minio.Signer.presignV4(toSign.build(), creds.region(), creds.accessKey(), creds.secretKey(),
                    seconds);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
        return new ExpiringWrite(http, method, method + " s3://" + bucket + "/" + key, url, headers,
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
        signedHeaders.forEach(b::header);
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
}
