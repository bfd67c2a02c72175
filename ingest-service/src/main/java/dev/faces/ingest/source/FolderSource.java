package dev.faces.ingest.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** An {@code img_align_celeba/} folder, optionally filtered by the partition file beside it. */
public final class FolderSource implements ImageSource {
    private final Path folder;
    private final Partition partition;
    private final Partition.Split split;
    private final long maxFileBytes;
    private final List<Rejection> refused = new ArrayList<>();

    public FolderSource(Path folder, Partition partition, Partition.Split split, long maxFileBytes) {
        this.folder = folder;
        this.partition = partition;
        this.split = split;
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public List<SourceEntry> entries() throws IOException {
        Set<String> present;
        try (Stream<Path> files = Files.list(folder)) {
            present = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.equals("list_eval_partition.txt"))
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
        }
        List<String> names = Partition.select(partition, split, present, String.valueOf(folder.getFileName()), refused);
        List<SourceEntry> entries = new ArrayList<>();
        for (String name : names) {
            Path file = folder.resolve(name);
            entries.add(SourceEntry.of(name, () -> read(file)));
        }
        return entries;
    }

    /** The file's bytes, its size checked on the open file first (one path lookup, not two). */
    private byte[] read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > maxFileBytes) {
                throw new IOException("file is " + size + " bytes; at most " + maxFileBytes + " are read");
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // a file that shrinks while it is read ends early; one that grows is read to its opening size
            }
            return bytes.position() == bytes.capacity() ? bytes.array()
                    : java.util.Arrays.copyOf(bytes.array(), bytes.position());
        }
    }

    @Override
    public List<Rejection> refused() {
        return refused;
    }

    @Override
    public String describe() {
        return folder.toString();
    }

    @Override
    public void close() {
    }
}
