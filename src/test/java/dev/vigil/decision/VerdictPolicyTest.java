package dev.vigil.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class VerdictPolicyTest {

    @Test
    void shouldAllowWhenNoRuleFired() {
        assertEquals(Verdict.ALLOW, VerdictPolicy.combine(List.of()));
    }

    @Test
    void shouldBlockWhenAnyHitBlocksWhateverElseFired() {
        var hits = List.of(
                new Hit("VEL-001", Verdict.REVIEW, "six in a minute"),
                new Hit("LST-001", Verdict.BLOCK, "blacklisted device"),
                new Hit("AMT-001", Verdict.ALLOW, "informational"));
        assertEquals(Verdict.BLOCK, VerdictPolicy.combine(hits));
    }

    @Test
    void shouldReviewWhenOnlyReviewHits() {
        var hits = List.of(new Hit("VEL-001", Verdict.REVIEW, "r"), new Hit("AML-001", Verdict.REVIEW, "r"));
        assertEquals(Verdict.REVIEW, VerdictPolicy.combine(hits));
    }

    /** The combined verdict is the maximum by severity, whatever the order of the hits. */
    @Property
    void combinedVerdictIsTheMostSevereInAnyOrder(@ForAll List<Verdict> verdicts) {
        var hits = verdicts.stream().map(v -> new Hit("R-" + v, v, "r")).toList();
        Verdict expected = verdicts.stream().max(Enum::compareTo).orElse(Verdict.ALLOW);
        assertEquals(expected, VerdictPolicy.combine(hits));
        var reversed = new java.util.ArrayList<>(hits);
        java.util.Collections.reverse(reversed);
        assertEquals(expected, VerdictPolicy.combine(reversed));
    }
}
