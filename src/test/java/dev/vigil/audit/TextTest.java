package dev.vigil.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TextTest {

    @Property(tries = 500)
    void cleanTextSurvivesUtf8AndHasNoNul(@ForAll String s) {
        String clean = Text.clean(s);
        assertEquals(clean, new String(clean.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        assertEquals(-1, clean.indexOf('\0'));
        assertEquals(s.length(), clean.length(), "one replacement per bad char, pairs kept");
    }

    @Property(tries = 500)
    void textThatUtf8CanCarryIsLeftAlone(@ForAll String s) {
        String valid = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).replace("\0", "");
        assertEquals(valid, Text.clean(valid));
    }

    @Test
    void shouldReplaceNulAndLoneSurrogatesOnly() {
        assertEquals("a\uFFFDb\uFFFDc\uD83D\uDE00\uFFFD", Text.clean("a\0b\uD800c\uD83D\uDE00\uDE00"));
        String plain = "Zahlung über 9.000,50 €";
        assertSame(plain, Text.clean(plain));
    }
}
