package dev.vigil.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigratorTest {

    @TempDir Path dir;

    @Test
    void shouldOrderScriptsByVersionNumberNotByName() throws Exception {
        Files.writeString(dir.resolve("V10__ten.sql"), "select 10;");
        Files.writeString(dir.resolve("V002__two.sql"), "select 2;");
        Files.writeString(dir.resolve("README.md"), "not a script");
        Map<Integer, SchemaMigrator.Script> scripts = SchemaMigrator.readScripts(dir);
        assertEquals(List.of(2, 10), List.copyOf(scripts.keySet()));
        assertEquals("V002__two.sql", scripts.get(2).fileName());
    }

    @Test
    void shouldHashTheFileBytesAndDropAByteOrderMarkFromTheSql() throws Exception {
        byte[] bytes = "\uFEFFselect 1;".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("V001__bom.sql"), bytes);
        SchemaMigrator.Script s = SchemaMigrator.readScripts(dir).get(1);
        assertEquals("select 1;", s.sql());
        // sha256 of EF BB BF "select 1;" computed independently with sha256sum
        assertEquals(SchemaMigrator.sha256(bytes), s.sha256());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", SchemaMigrator.sha256(new byte[0]));
    }

    @Test
    void shouldRejectBadlyNamedOrDuplicateVersions() throws Exception {
        Files.writeString(dir.resolve("V1_missing_underscore.sql"), "select 1;");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SchemaMigrator.readScripts(dir))
                .getMessage().contains("V1_missing_underscore.sql"));
        Files.delete(dir.resolve("V1_missing_underscore.sql"));

        Files.writeString(dir.resolve("V1__a.sql"), "select 1;");
        Files.writeString(dir.resolve("V001__b.sql"), "select 1;");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SchemaMigrator.readScripts(dir))
                .getMessage().contains("same version 1"));
    }

    @Test
    void shouldRejectAnEmptyOrMissingFolder() {
        assertThrows(IllegalArgumentException.class, () -> SchemaMigrator.readScripts(dir));
        assertThrows(IllegalArgumentException.class, () -> SchemaMigrator.readScripts(dir.resolve("nope")));
    }

    @Test
    void shouldReadTheProjectSchemaFolder() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), List.copyOf(SchemaMigrator.readScripts(AuditFixtures.SCHEMA).keySet()));
    }
}
