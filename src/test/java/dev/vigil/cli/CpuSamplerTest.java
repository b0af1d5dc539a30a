package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuSamplerTest {

    /**
     * A child process that forks a short-lived worker (as Redis forks its append-only file rewrite) is charged the
     * worker's CPU after the worker ended: it is then in the parent's cutime, not in any live process.
     */
    @Test
    void shouldCountTheCpuOfAChildsChildrenThatEndedBetweenTwoSnapshots() throws Exception {
        CpuSampler sampler = new CpuSampler(Set.of());
        CpuSampler.Snapshot before = sampler.take();
        // The subshell burns CPU and ends; its parent says so and waits to be stopped (a command after the sleep, so
        // bash does not exec into sleep and keeps its name).
        Process parent = new ProcessBuilder("bash", "-c",
                "( i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done ); echo worked; sleep 30; echo stopped").start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            assertTrue("worked".equals(out.readLine()), "the worker ran");
            CpuSampler.Snapshot after = sampler.take();
            Map<String, Double> cores = CpuSampler.cores(before, after);
            double seconds = cores.getOrDefault("child: bash", 0.0) * (after.atNanos() - before.atNanos()) / 1e9;
            double worker = CpuSampler.reapedChildrenSeconds(parent.pid());
            assertTrue(worker >= 0.1, "the ended worker's CPU is in its parent's stat: " + worker + " s");
            assertTrue(seconds >= worker - 0.02, "the sampler counts it for the parent's group: " + seconds + " s of " + worker);
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }
}
