package dev.vigil.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.decision.Verdict;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

class CasePriorityTest {
    static Alert alert(String amount, Verdict v, int risk, String... rules) {
        return new Alert("tx", "acct", "cust", Instant.parse("2026-03-01T00:00:00Z"), new BigDecimal(amount), "EUR", v, risk,
                List.of(rules), List.of());
    }

    @Test
    void shouldAddModelAmountAndRulePoints() {
        // risk 80 -> 40; 25,000.00 has 5 integer digits -> 10; BLOCK -> 20.
        assertEquals(70, CasePriority.of(alert("25000.00", Verdict.BLOCK, 80, "AML-NEW-001")));
        // risk 10 -> 5; 99.99 -> 0; two distinct rules -> 10 (a repeated id counts once).
        assertEquals(15, CasePriority.of(alert("99.99", Verdict.REVIEW, 10, "VEL-001", "VEL-002", "VEL-001")));
        assertEquals("HIGH", CasePriority.band(70));
        assertEquals("MEDIUM", CasePriority.band(69));
        assertEquals("LOW", CasePriority.band(39));
    }

    /** Reference: the documented sum, with the amount's digits counted from its text. */
    @Property
    void shouldStayWithinZeroToHundredAndMatchTheReference(@ForAll @IntRange(min = 0, max = 100) int risk,
            @ForAll @BigRange(min = "0", max = "999999999999.99") @Scale(2) BigDecimal amount,
            @ForAll @IntRange(min = 0, max = 6) int ruleCount, @ForAll boolean block) {
        String[] rules = new String[ruleCount];
        for (int i = 0; i < ruleCount; i++) rules[i] = "R-" + i;
        int p = CasePriority.of(alert(amount.toPlainString(), block ? Verdict.BLOCK : Verdict.REVIEW, risk, rules));
        String whole = amount.toBigInteger().toString();
        int digits = whole.equals("0") ? 1 : whole.length();
        int expected = Math.min(100, risk / 2 + Math.max(0, Math.min(30, 5 * (digits - 3))) + (block ? 20 : Math.min(20, 5 * ruleCount)));
        assertEquals(expected, p);
        assertTrue(p >= 0 && p <= 100);
    }
}
