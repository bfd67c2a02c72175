package dev.faces.ingest.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
            entries.add(SourceEntry.of(name, () -> {
                long size = Files.size(file);
                if (size > maxFileBytes) {
                    throw new IOException("file is " + size + " bytes; at most " + maxFileBytes + " are read");
                }
                return Files.readAllBytes(file);
            }));
        }
        return entries;
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
