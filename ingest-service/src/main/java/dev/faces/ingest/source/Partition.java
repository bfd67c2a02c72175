package dev.faces.ingest.source;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** CelebA's {@code list_eval_partition.txt}: "000001.jpg 0" per line; 0 train, 1 valid, 2 test. */
public final class Partition {
    public enum Split { train, valid, test, all }

    private final Map<String, Integer> byFile;

    private Partition(Map<String, Integer> byFile) {
        this.byFile = byFile;
    }

    public static Split split(String name) {
        try {
            return name == null ? Split.all : Split.valueOf(name.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("partition must be one of train, valid, test, all; was '" + name + "'");
        }
    }

    public static Partition parse(byte[] text) {
        Map<String, Integer> map = new LinkedHashMap<>();
        String[] lines = new String(text, StandardCharsets.UTF_8).split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2 || !parts[1].matches("[012]")) {
                throw new IllegalArgumentException("list_eval_partition.txt line " + (i + 1) + " is not '<file> <0|1|2>': " + line);
            }
            map.put(parts[0], Integer.parseInt(parts[1]));
        }
        return new Partition(map);
    }

    /**
     * The files to ingest, in file-name order: all present ones without a partition file, else the split's files,
     * those listed but absent going to {@code refused} with a reason naming {@code where}.
     */
    public static java.util.List<String> select(Partition partition, Split split, java.util.Collection<String> present,
                                                String where, java.util.List<ImageSource.Rejection> refused) {
        if (partition == null) {
            return present.stream().sorted().toList();
        }
        java.util.Set<String> available = new java.util.HashSet<>(present);
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String name : partition.files(split)) {
            if (available.contains(name)) {
                names.add(name);
            } else {
                refused.add(new ImageSource.Rejection(name, "listed in list_eval_partition.txt but missing from " + where));
            }
        }
        return names;
    }

    /** Files of the split, in file-name order. */
    public java.util.List<String> files(Split split) {
        return byFile.entrySet().stream()
                .filter(e -> split == Split.all || e.getValue() == split.ordinal())
                .map(Map.Entry::getKey).sorted().toList();
    }
}
