package dev.vigil.feature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads blacklist and whitelist files: every {@code *.csv} of a folder, in name order, one entry a
 * line: {@code list,entity,id[,member]}, e.g. {@code blacklist,device,fp-9f3a} or
 * {@code whitelist,merchant,m-42,false} (takes it off). A header line {@code list,entity,id...},
 * blank lines and lines starting with {@code #} are skipped. Ids are taken as written (no
 * trimming inside, no quoting: an id cannot hold a comma).
 */
public final class ListFiles {

    private ListFiles() {}

    /**
     * The entries of every list file in {@code dir}; none when it does not exist.
     *
     * @throws IllegalArgumentException naming the file and line of an entry that cannot be read
     */
    public static List<ListEntry> read(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        List<ListEntry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (line.isEmpty() || line.startsWith("#") || line.toLowerCase(Locale.ROOT).startsWith("list,")) continue;
                    try {
                        out.add(parse(line));
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException(f + ":" + (i + 1) + ": " + e.getMessage()
                                + " (expected list,entity,id[,member], e.g. blacklist,device,fp-9f3a)", e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read list files in " + dir, e);
        }
        return out;
    }

    static ListEntry parse(String line) {
        String[] p = line.split(",", -1);
        if (p.length < 3 || p.length > 4) throw new IllegalArgumentException("3 or 4 fields, not " + p.length);
        ListEntry.Kind kind = ListEntry.Kind.valueOf(p[0].strip().toUpperCase(Locale.ROOT));
        boolean member = p.length < 4 || Boolean.parseBoolean(p[3].strip()) || p[3].strip().equals("1");
        if (p.length == 4 && !member && !p[3].strip().equalsIgnoreCase("false") && !p[3].strip().equals("0")) {
            throw new IllegalArgumentException("member must be true or false: " + p[3]);
        }
        return new ListEntry(kind, ListEntry.Entity.parse(p[1]), p[2].strip(), member);
    }
}
