package dev.faces.generator.runs;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A small cache of S3 reads: each value lives {@code ttl}, at most {@code maxEntries} are kept (least recently
 * used out first). A refreshed gallery page then costs S3 nothing until the values expire.
 */
final class TtlCache<V> {
    private record Entry<V>(V value, long expiresAt) {
    }

    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier clock;
    private final Map<String, Entry<V>> entries;

    TtlCache(Duration ttl, int maxEntries, LongSupplier clock) {
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
                return size() > TtlCache.this.maxEntries;
            }
        };
    }

    /** The cached value, or null when there is none or it expired. */
    V getIfPresent(String key) {
        long now = clock.getAsLong();
        synchronized (entries) {
            Entry<V> e = entries.get(key);
            return e != null && e.expiresAt - now > 0 ? e.value : null;
        }
    }

    void put(String key, V value) {
        synchronized (entries) {
            entries.put(key, new Entry<>(value, clock.getAsLong() + ttlNanos));
        }
    }

    /** The cached value, or {@code load}'s, cached; a load that throws caches nothing. */
    V get(String key, Supplier<V> load) {
        long now = clock.getAsLong();
        synchronized (entries) {
            Entry<V> e = entries.get(key);
            if (e != null && e.expiresAt - now > 0) {
                return e.value;
            }
        }
        V value = load.get();
        synchronized (entries) {
            entries.put(key, new Entry<>(value, now + ttlNanos));
        }
        return value;
    }
}
