package dev.vigil.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A rules folder written by a test: {@code <parent>/rules/{VERSION,drl,dsl,decision-tables}}. */
final class RulesDir {
    final Path dir;

    private RulesDir(Path dir) {
        this.dir = dir;
    }

    static RulesDir in(Path parent) {
        try {
            Path dir = parent.resolve("rules");
            for (String sub : new String[] {"drl", "dsl", "decision-tables"}) Files.createDirectories(dir.resolve(sub));
            Files.writeString(dir.resolve("VERSION"), "test.1\n");
            return new RulesDir(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the shipped rules folder. */
    static RulesDir copyOfShipped(Path parent) {
        RulesDir r = in(parent);
        try (Stream<Path> all = Files.walk(ShippedRules.DIR)) {
            for (Path p : all.sorted().toList()) {
                Path target = r.dir.resolve(ShippedRules.DIR.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

    RulesDir file(String relative, String text) {
        try {
            Files.writeString(dir.resolve(relative), text);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path(String relative) {
        return dir.resolve(relative);
    }

    /** A DRL file in package vigil.rules with the usual imports. */
    RulesDir drl(String name, String rules) {
        return file("drl/" + name, """
                package vigil.rules;
                import dev.vigil.event.*;
                import dev.vigil.feature.*;
                import dev.vigil.score.ModelScore;
                import dev.vigil.decision.Verdict;
                import dev.vigil.rules.RuleActions;
                """ + rules);
    }

    static void delete(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
