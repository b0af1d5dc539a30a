package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A tiny `vigil bench` on real embedded servers: every event it sends on each path must come back
 * decided, so a benchmark that silently measures refusals (as it once did, after API keys arrived)
 * fails here rather than in a report.
 */
class BenchCommandIT {

    @TempDir
    Path dir;

    @Test
    void shouldDecideEveryEventItSendsOnKafkaAndHttp() throws Exception {
        // Given a short run: 2 s at 50 events/s on Kafka, 2 s at 20 requests/s on HTTP, no maximum phase
        Path report = dir.resolve("bench.md");
        String[] args = {"bench", "--rates", "50", "--duration", "2s", "--warm-up", "1s", "--warm-up-rate", "50",
                "--max-duration", "0s", "--http-rates", "20", "--http-duration", "2s", "--http-warm-up", "1s", "--accounts", "200",
                "--no-jfr", "--data-dir", dir.resolve("data").toString(), "--out", report.toString()};
        // When
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        java.io.StringWriter err = new java.io.StringWriter();
        int exit;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = VigilCli.commandLine();
            cli.setErr(new java.io.PrintWriter(err, true));
            exit = cli.execute(args);
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8) + err;
        // Then both phases decided all they sent, and the report was written
        assertEquals(0, exit, out);
        assertTrue(out.contains("Kafka fixed rate: 100 sent, 100 decided"), out);
        assertTrue(out.contains("HTTP fixed rate: 40 sent, 40 decided"), out);
        assertTrue(Files.readString(report).contains("| HTTP"), Files.readString(report));
    }
}
