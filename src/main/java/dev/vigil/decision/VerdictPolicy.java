package dev.vigil.decision;

import java.util.Collection;

/** How hits combine: the most severe verdict wins, and no hit means ALLOW. */
public final class VerdictPolicy {
    private VerdictPolicy() {}

    public static Verdict combine(Collection<Hit> hits) {
        Verdict v = Verdict.ALLOW;
        for (Hit h : hits) v = v.max(h.verdict());
        return v;
    }
}
