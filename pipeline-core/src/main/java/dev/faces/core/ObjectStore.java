package dev.faces.core;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pipeline's view of S3 (MinIO, S3Proxy, AWS): whole-object reads and writes, listings, existence.
 * An unreachable server or a 5xx answer is retried with exponential backoff for up to {@code retryBudget}, so
 * a restarting S3 pauses the work instead of failing it. Other failures, and the last one once the budget is
 * spent, surface as {@link StorageException} with the bucket and key in the message.
 */
public final class ObjectStore {
    public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofMinutes(2);

    private final MinioClient client;
    private final String endpoint;
    private final Retrying retrying;
    private final ChecksummedPut checksummed;
    private final okhttp3.HttpUrl baseUrl;
    private final ExpiringWrite.Credentials credentials;
    /** One connection pool for the MinIO client and the checksummed PUT, with the MinIO client's own timeouts. */
    private final okhttp3.OkHttpClient http = io.minio.http.HttpUtils.newDefaultHttpClient(
            HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS);
    private static final long HTTP_TIMEOUT_MS = java.util.concurrent.TimeUnit.MINUTES.toMillis(5);

    public ObjectStore(String endpoint, String accessKey, String secretKey, String region) {
        this(endpoint, accessKey, secretKey, region, DEFAULT_RETRY_BUDGET);
    }

    public ObjectStore(String endpoint, String accessKey, String secretKey, String region, Duration retryBudget) {
        this.endpoint = endpoint;
        this.retrying = new Retrying(endpoint, retryBudget);
        this.baseUrl = okhttp3.HttpUrl.get(endpoint);
        this.credentials = new ExpiringWrite.Credentials(region, accessKey, secretKey);
        this.checksummed = new ChecksummedPut(http, baseUrl, credentials);
        this.client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).region(region)
                .httpClient(http).build();
    }

    public String endpoint() {
        return endpoint;
    }

    /**
     * One PUT up to {@link #SINGLE_PUT_BYTES}: a multipart upload (the client's choice above 5 MiB) would cost the
     * server a reassembly and the client three requests more for a 12 MB shard. Larger objects (an uploaded
     * dataset zip) go in parts, which servers take without holding the whole body.
     */
    public void put(String bucket, String key, byte[] data, String contentType) {
        long partSize = data.length <= SINGLE_PUT_BYTES ? Math.max(MIN_PART_BYTES, data.length) : -1;
        call("put", bucket, key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(data), data.length, partSize).contentType(contentType).build()));
    }

    /**
     * A PUT of bytes whose SHA-256 (hex) the caller already has, such as a shard's: checked by the server against
     * a CRC-32 as it stores them, with the digest as the object's metadata ({@link ChecksummedPut}).
     */
    public void put(String bucket, String key, byte[] data, String contentType, String sha256Hex) {
        put(bucket, key, data, contentType, sha256Hex, ChecksummedPut.crc32(data));
    }

    /** As {@link #put(String, String, byte[], String, String)}, with the body's CRC-32 given. */
    public void put(String bucket, String key, byte[] data, String contentType, String sha256Hex, int crc32) {
        if (data.length > SINGLE_PUT_BYTES) {
            put(bucket, key, data, contentType);
            return;
        }
        call("put", bucket, key, () -> checksummed.put(bucket, key, data, contentType, sha256Hex, crc32));
    }

    /**
     * A PUT on a condition the server checks: {@code ifMatch} the object's current ETag, or null for "the object
     * must not exist" ({@code If-None-Match: *}). Returns the new ETag. A refused condition throws
     * {@link PreconditionFailedException}, except when the object already holds exactly these bytes: a retried
     * request whose first attempt the server had carried out (S3's ETag of a single PUT is the body's MD5).
     */
    public String put(String bucket, String key, byte[] data, String contentType, String ifMatch,
                      java.util.Map<String, String> metadata) {
        java.util.Map<String, String> condition = ifMatch == null ? java.util.Map.of("If-None-Match", "*")
                : java.util.Map.of("If-Match", "\"" + ifMatch + "\"");
        try {
            return call("put", bucket, key, () -> {
                try {
                    return client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                            .stream(new ByteArrayInputStream(data), data.length, -1).contentType(contentType)
                            .headers(condition).userMetadata(metadata).build()).etag().replace("\"", "");
                } catch (ErrorResponseException e) {
                    if (e.response() != null && e.response().code() == 412) {
                        throw new PreconditionFailedException("s3://" + bucket + "/" + key + " changed: "
                                + condition + " does not hold");
                    }
                    throw e;
                }
            });
        } catch (PreconditionFailedException refused) {
            String md5 = Digests.md5(data);
            if (stat(bucket, key).map(s -> s.etag().equals(md5)).orElse(false)) {
                return md5;
            }
            throw refused;
        }
    }

    /** A PUT signed now with its metadata, which the server takes only within {@code validity}. */
    public ExpiringWrite expiringPut(String bucket, String key, java.util.Map<String, String> metadata,
                                     Duration validity) {
        return ExpiringWrite.sign(http, baseUrl, credentials, "PUT", bucket, key, metadata, validity);
    }

    /** A DELETE signed now, which the server takes only within {@code validity}. */
    public ExpiringWrite expiringDelete(String bucket, String key, Duration validity) {
        return ExpiringWrite.sign(http, baseUrl, credentials, "DELETE", bucket, key, java.util.Map.of(), validity);
    }

    /** A conditional write was refused (HTTP 412): the object is not what the writer last saw. */
    public static final class PreconditionFailedException extends RuntimeException {
        public PreconditionFailedException(String message) {
            super(message);
        }
    }

    /** S3's smallest part. */
    private static final long MIN_PART_BYTES = 5L << 20;
    static final long SINGLE_PUT_BYTES = 64L << 20;

    /** The object's bytes, or empty when it does not exist. */
    public Optional<byte[]> get(String bucket, String key) {
        return call("get", bucket, key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return Optional.of(in.readAllBytes());
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return Optional.<byte[]>empty();
                }
                throw e;
            }
        });
    }

    /** What S3 says of an object without reading it: its size, ETag and user metadata (x-amz-meta-*). */
    public record Stat(long size, String etag, java.util.Map<String, String> metadata) {
    }

    /** The object's size and ETag, or empty when it does not exist. */
    public Optional<Stat> stat(String bucket, String key) {
        return call("stat", bucket, key, () -> {
            try {
                var s = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return Optional.of(new Stat(s.size(), s.etag() == null ? "" : s.etag().replace("\"", ""),
                        java.util.Map.copyOf(s.userMetadata())));
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return Optional.<Stat>empty();
                }
                throw e;
            }
        });
    }

    /**
     * Streams the object to {@code target} (replaced), never holding it in memory, and returns its size. Fails if
     * it turns out longer than {@code maxBytes}: the bound holds even if the object changed after a stat.
     */
    public long download(String bucket, String key, java.nio.file.Path target, long maxBytes) {
        return call("download", bucket, key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
                 java.io.OutputStream out = java.nio.file.Files.newOutputStream(target)) {
                byte[] buffer = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                    if (total > maxBytes) {
                        throw new IllegalArgumentException("s3://" + bucket + "/" + key + " is larger than " + maxBytes
                                + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
                return total;
            }
        });
    }

    public boolean exists(String bucket, String key) {
        return stat(bucket, key).isPresent();
    }

    /** Keys under {@code prefix}, recursively, in lexicographic order. */
    public List<String> list(String bucket, String prefix) {
        return call("list", bucket, prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    keys.add(item.objectName());
                }
            }
            keys.sort(null);
            return keys;
        });
    }

    /**
     * The folders directly under {@code prefix} (S3 common prefixes, each ending in {@code /}), without listing
     * what is inside them.
     */
    public List<String> listFolders(String bucket, String prefix) {
        return call("list", bucket, prefix, () -> {
            List<String> folders = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .delimiter("/").recursive(false).build())) {
                Item item = r.get();
                if (item.isDir()) {
                    folders.add(item.objectName());
                }
            }
            folders.sort(null);
            return folders;
        });
    }

    /** A key and when it was last written. */
    public record Listed(String key, java.time.Instant lastModified) {
    }

    /** Keys under {@code prefix} with their modification times, recursively. */
    public List<Listed> listWithTimes(String bucket, String prefix) {
        return call("list", bucket, prefix, () -> {
            List<Listed> out = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    out.add(new Listed(item.objectName(), item.lastModified().toInstant()));
                }
            }
            return out;
        });
    }

    public void delete(String bucket, String key) {
        call("delete", bucket, key, () -> client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    /** Empty when every bucket exists; otherwise what is wrong, in words for a health check. */
    public Optional<String> checkBuckets(List<String> buckets) {
        List<String> missing = new ArrayList<>();
        for (String bucket : buckets) {
            try {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    missing.add(bucket);
                }
            } catch (Exception e) {
                return Optional.of("S3 at " + endpoint + " is not reachable: " + e.getMessage());
            }
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("bucket(s) " + String.join(", ", missing) + " missing at " + endpoint);
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || e.response().code() == 404;
    }

    private <T> T call(String op, String bucket, String key, Retrying.S3Call<T> call) {
        return retrying.call(op, bucket, key, call);
    }

    private void call(String op, String bucket, String key, Retrying.S3Action action) {
        retrying.run(op, bucket, key, action);
    }

    /** An S3 operation failed; the message names the operation, the object and the endpoint. */
    public static final class StorageException extends RuntimeException {
        public StorageException(String message, Throwable cause) {
            super(message, cause);
        }

        /** The server was unreachable or answered 5xx: an outage, not a refusal of this request. */
        public boolean isOutage() {
            return Retrying.isTransient(getCause());
        }
    }
}
