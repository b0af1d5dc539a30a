package dev.vigil.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.kie.api.io.ResourceType;

/**
 * The rule files of a rules folder, read once: which files count, their bytes, and the version
 * hash over them. Reading everything up front means the hash describes exactly the bytes that were
 * compiled, even if an analyst saves a file while Vigil starts.
 */
final class RuleFiles {

    /** One rule file; {@code path} is relative to the rules folder, with '/' separators. */
    record RuleFile(String path, ResourceType type, byte[] bytes) {}

    private record Source(String folder, String extension, ResourceType type) {}

    private static final List<Source> SOURCES = List.of(
            new Source("drl", ".drl", ResourceType.DRL),
            new Source("dsl", ".dsl", ResourceType.DSL),
            new Source("dsl", ".dslr", ResourceType.DSLR),
            new Source("decision-tables", ".xlsx", ResourceType.DTABLE));

    final Path root;
    final String label;
    final List<RuleFile> files;

    private RuleFiles(Path root, String label, List<RuleFile> files) {
        this.root = root;
        this.label = label;
        this.files = files;
    }

    static RuleFiles read(Path rulesDir) {
        Path root = rulesDir.toAbsolutePath().normalize();
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            throw new RuleBuildException(List.of(root + ": not a folder"));
        }
        String label = readLabel(root, problems);
        List<RuleFile> files = new ArrayList<>();
        for (Source source : SOURCES) {
            Path folder = root.resolve(source.folder());
            if (!Files.isDirectory(folder)) continue;
            try (Stream<Path> list = Files.list(folder)) {
                for (Path p : list.sorted().toList()) {
                    String name = p.getFileName().toString();
                    // Office and LibreOffice leave lock files (~$x.xlsx, .~lock.x.xlsx#) beside an open sheet.
                    if (name.startsWith("~$") || name.startsWith(".") || !name.endsWith(source.extension())) continue;
                    if (!Files.isRegularFile(p)) continue;
                    files.add(new RuleFile(source.folder() + "/" + name, source.type(), Files.readAllBytes(p)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read rule folder " + folder, e);
            }
        }
        if (files.isEmpty()) problems.add(display(root, "") + ": no rule files in drl/, dsl/ or decision-tables/");
        if (!problems.isEmpty()) throw new RuleBuildException(problems);
        files.sort(Comparator.comparing(RuleFile::path));
        return new RuleFiles(root, label, List.copyOf(files));
    }

    private static String readLabel(Path root, List<String> problems) {
        Path version = root.resolve("VERSION");
        if (!Files.isRegularFile(version)) {
            problems.add(display(root, "VERSION") + ": missing (one line, e.g. 2026.11.1)");
            return "";
        }
        try {
            String label = Files.readString(version, StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
            if (label.isEmpty()) problems.add(display(root, "VERSION") + ": empty (one line, e.g. 2026.11.1)");
            return label;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + version, e);
        }
    }

    /**
     * SHA-256, in path order, over each file's relative path, a newline, its size in bytes in
     * decimal, a newline, and its bytes; hex, first 16 characters. The same as
     * {@code for f in <files>; do printf '%s\n%d\n' "$f" "$(stat -c%s "$f")"; cat "$f"; done | sha256sum}
     * run in the rules folder.
     */
    String contentHash() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (RuleFile f : files) {
                sha.update((f.path() + "\n" + f.bytes().length + "\n").getBytes(StandardCharsets.UTF_8));
                sha.update(f.bytes());
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** How problems name a file: relative to the rules folder's parent, so {@code rules/drl/x.drl}. */
    String display(String relativePath) {
        return display(root, relativePath);
    }

    private static String display(Path root, String relativePath) {
        String base = root.getFileName() == null ? root.toString() : root.getFileName().toString();
        return relativePath.isEmpty() ? base + "/" : base + "/" + relativePath;
    }

    /**
     * A cheap fingerprint of everything under a rules folder that could change the rule base:
     * each file's relative path and bytes, lock files and hidden files aside. It never fails: a
     * folder being rewritten (a save by rename) gives a value that differs, and the next look settles it.
     */
    static String fingerprint(Path rulesDir) {
        Path root = rulesDir.toAbsolutePath().normalize();
        try (Stream<Path> all = Files.walk(root)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith("~$") || name.startsWith(".")) continue;
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(p);
                } catch (IOException gone) {
                    bytes = ("<unreadable: " + gone + ">").getBytes(StandardCharsets.UTF_8);
                }
                sha.update((root.relativize(p).toString().replace('\\', '/') + "\n" + bytes.length + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException | UncheckedIOException e) {
            return "unreadable: " + e;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
