package dev.faces.ingest.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code img_align_celeba.zip} read in place. Entry names that could escape a folder (zip-slip) are refused, and
 * every entry is read with a hard byte limit and a compression-ratio limit, so a zip bomb costs nothing.
 */
public final class ZipSource implements ImageSource {
    static final int MAX_RATIO = 100;
    static final int MAX_ENTRIES = 1_000_000;

    private final ZipFile zip;
    private final Path path;
    private final Partition.Split split;
    private final long maxFileBytes;
    private final List<Rejection> refused = new ArrayList<>();
    private final String description;

    public ZipSource(Path path, Partition.Split split, long maxFileBytes) throws IOException {
        this(path, split, maxFileBytes, null);
    }

    /** @param description how the source is named in the manifest (an s3:// object's identity), else its path */
    public ZipSource(Path path, Partition.Split split, long maxFileBytes, String description) throws IOException {
        this.path = path;
        this.description = description;
        this.zip = new ZipFile(path.toFile());
        this.split = split;
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public List<SourceEntry> entries() throws IOException {
        Map<String, ZipEntry> images = new TreeMap<>();
        Map<String, List<ZipEntry>> byName = new TreeMap<>();
        Partition partition = null;
        int count = 0;
        for (ZipEntry e : Collections.list(zip.entries())) {
            if (++count > MAX_ENTRIES) {
                throw new IOException("the zip has more than " + MAX_ENTRIES + " entries");
            }
            String name = e.getName();
            if (e.isDirectory()) {
                continue;
            }
            if (unsafe(name)) {
                refused.add(new Rejection(name, "unsafe entry name (absolute, or climbs out with '..'): refused"));
                continue;
            }
            String base = name.substring(name.lastIndexOf('/') + 1);
            if (base.equals("list_eval_partition.txt")) {
                partition = Partition.parse(read(e));
            } else if (!base.isEmpty() && !base.startsWith(".")) {
                byName.computeIfAbsent(base, k -> new ArrayList<>()).add(e);
            }
        }
        // CelebA's partition list names files, not paths: two entries of one name in different folders cannot
        // be told apart, so both are refused with the reason rather than one dropped in silence.
        byName.forEach((base, found) -> {
            if (found.size() == 1) {
                images.put(base, found.get(0));
            } else {
                for (ZipEntry e : found) {
                    refused.add(new Rejection(e.getName(), found.size() + " entries are named " + base
                            + " in different folders: refused, since the partition list names files, not paths"));
                }
            }
        });
        List<String> names = Partition.select(partition, split, images.keySet(), "the zip", refused);
        List<SourceEntry> entries = new ArrayList<>();
        for (String name : names) {
            ZipEntry e = images.get(name);
            entries.add(SourceEntry.of(name, () -> read(e)));
        }
        return entries;
    }

    static boolean unsafe(String name) {
        String n = name.replace('\\', '/');
        return n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.equals("..") || n.startsWith("../")
                || n.contains("/../") || n.endsWith("/..");
    }

    /** Reads an entry, stopping at the byte limit or when it inflates more than MAX_RATIO times its size. */
    byte[] read(ZipEntry e) throws IOException {
        long compressed = Math.max(1, e.getCompressedSize());
        long limit = Math.min(maxFileBytes, compressed * MAX_RATIO + 4096);
        try (InputStream in = zip.getInputStream(e)) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (data.length > limit) {
                throw new IOException(data.length > maxFileBytes
                        ? "entry inflates past " + maxFileBytes + " bytes: refused (zip bomb?)"
                        : "entry inflates more than " + MAX_RATIO + "x its compressed size: refused (zip bomb?)");
            }
            return data;
        }
    }

    @Override
    public List<Rejection> refused() {
        return refused;
    }

    @Override
    public String describe() {
        return description != null ? description : path.toString();
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
