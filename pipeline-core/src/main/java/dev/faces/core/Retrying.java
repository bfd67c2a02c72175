package dev.faces.core;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import java.time.Duration;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * S3 calls retried with exponential backoff while the server is unreachable or answers 5xx, for up to a budget.
 * A RuntimeException thrown by a call (a refused condition, say) passes through at once.
 */
final class Retrying {
    private static final Logger LOG = Logger.getLogger(ObjectStore.class.getName());
    private static final long FIRST_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 5000;
    /** Where the MinIO client puts the status of an answer whose body is not S3's XML. */
    private static final Pattern RESPONSE_CODE = Pattern.compile("Response code: (\\d{3})");

    interface S3Call<T> {
        T run() throws Exception;
    }

    interface S3Action {
        void run() throws Exception;
    }

    private final String endpoint;
    private final Duration budget;

    Retrying(String endpoint, Duration budget) {
        this.endpoint = endpoint;
        this.budget = budget;
    }

    <T> T call(String op, String bucket, String key, S3Call<T> call) {
        long deadline = System.nanoTime() + budget.toNanos();
        long backoff = FIRST_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                T result = call.run();
                if (attempt > 1) {
                    LOG.info(op + " s3://" + bucket + "/" + key + " succeeded after " + attempt + " attempts");
                }
                return result;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                String what = op + " s3://" + bucket + "/" + key + " at " + endpoint;
                if (!isTransient(e) || System.nanoTime() + backoff * 1_000_000 > deadline) {
                    throw new ObjectStore.StorageException(what + " failed: " + e.getMessage(), e);
                }
                if (attempt == 1 || attempt % 10 == 0) {
                    LOG.warning(what + " failed (" + e + "); retrying with backoff for up to " + budget.toSeconds()
                            + " s");
                }
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    void run(String op, String bucket, String key, S3Action action) {
        call(op, bucket, key, () -> {
            action.run();
            return null;
        });
    }

    /** Worth retrying: the server was unreachable or answered 5xx. */
    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException || t instanceof ServerException) {
                return true;
            }
            if (t instanceof ErrorResponseException r && r.response() != null && r.response().code() >= 500) {
                return true;
            }
            if (t instanceof InvalidResponseException r && statusOf(r) >= 500) {
                return true;
            }
        }
        return false;
    }

    /**
     * The status of a 5xx answered with a body that is not S3's XML, such as a proxy's or a servlet container's
     * HTML error page (S3Proxy answers 500 so when an object is overwritten while it is being read). The MinIO
     * client keeps the status only in its message.
     */
    private static int statusOf(InvalidResponseException e) {
        Matcher m = RESPONSE_CODE.matcher(String.valueOf(e.getMessage()));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ObjectStore.StorageException("interrupted while waiting to retry S3", e);
        }
    }
}
