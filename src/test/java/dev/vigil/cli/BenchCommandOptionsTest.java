package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandOptionsTest {

    private static BenchCommand parse(String... args) {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).registerConverter(java.time.Duration.class, DurationConverter::parse).parseArgs(args);
        return bench;
    }

    @Test
    void shouldSkipThePhasesOfARateListGivenAsNone() {
        BenchCommand bench = parse("--rates", "none", "--http-rates", "none");

        assertEquals(List.of(), BenchCommand.phases(bench.rates));
        assertEquals(List.of(), BenchCommand.phases(bench.httpRates));
    }

    @Test
    void shouldSkipThePhasesOfAnEmptyRateList() {
        BenchCommand bench = parse("--http-rates", "");

        assertEquals(List.of(), BenchCommand.phases(bench.httpRates));
        assertEquals(List.of(1000, 2000, 5000, 10000), BenchCommand.phases(bench.rates));
    }

    @Test
    void shouldKeepTheGivenRatesInOrder() {
        assertEquals(List.of(500, 250), BenchCommand.phases(parse("--http-rates", "500,250").httpRates));
    }

    @Test
    void shouldRefuseARateThatIsNotAPositiveNumber() {
        CommandLine.ParameterException zero = assertThrows(CommandLine.ParameterException.class, () -> parse("--rates", "0"));
        assertTrue(zero.getMessage().contains("above 0"), zero.getMessage());
        CommandLine.ParameterException word = assertThrows(CommandLine.ParameterException.class, () -> parse("--http-rates", "fast"));
        assertTrue(word.getMessage().contains("not a rate"), word.getMessage());
    }

    @Test
    void shouldProfileWithJfrUnlessToldNotTo() {
        assertFalse(parse().noJfr);
        assertTrue(parse("--no-jfr").noJfr);
    }
}
