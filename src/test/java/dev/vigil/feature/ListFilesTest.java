package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListFilesTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadEveryCsvInNameOrderSkippingHeadersAndComments() throws Exception {
        Files.writeString(dir.resolve("b.csv"), "list,entity,id,member\n# a comment\n\nwhitelist,MERCHANT,m-42,false\n");
        Files.writeString(dir.resolve("a.csv"), "blacklist,device,fp-9f3a\nblacklist,ip,192.0.2.66,true\n");
        Files.writeString(dir.resolve("notes.txt"), "not a list");
        assertEquals(List.of(
                new ListEntry(ListEntry.Kind.BLACKLIST, ListEntry.Entity.DEVICE, "fp-9f3a", true),
                new ListEntry(ListEntry.Kind.BLACKLIST, ListEntry.Entity.IP, "192.0.2.66", true),
                new ListEntry(ListEntry.Kind.WHITELIST, ListEntry.Entity.MERCHANT, "m-42", false)), ListFiles.read(dir));
    }

    @Test
    void shouldNameTheFileAndLineOfAnEntryItCannotRead() throws Exception {
        Files.writeString(dir.resolve("bad.csv"), "blacklist,device,fp-1\ngreylist,device,fp-2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListFiles.read(dir));
        assertTrue(e.getMessage().contains("bad.csv:2"), e.getMessage());
    }

    @Test
    void shouldReadNothingFromAMissingFolderAndTheShippedExample() {
        assertEquals(List.of(), ListFiles.read(dir.resolve("absent")));
        assertEquals(1, ListFiles.read(Path.of("lists")).size());
    }
}
