package dev.vigil.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one reload of the rules folder did: a new rule set went live, or a broken one was refused
 * and the rules already running stayed in force.
 *
 * @param outcome applied or refused
 * @param previous the version running before the reload
 * @param running the version running after it: the new one when applied, {@code previous} when refused
 * @param problems empty when applied; when refused, each problem naming its file (as {@link RuleBuildException#problems()})
 * @param at when the reload finished
 */
public record RuleReload(Outcome outcome, RuleSetVersion previous, RuleSetVersion running, List<String> problems,
        Instant at) {

    /** Closed set of reload results; the lower-case name is the metric tag. */
    public enum Outcome {
        APPLIED, REFUSED;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public RuleReload {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(running, "running");
        problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
        Objects.requireNonNull(at, "at");
        if (outcome == Outcome.APPLIED && !problems.isEmpty()) {
            throw new IllegalArgumentException("an applied reload has no problems: " + problems);
        }
        if (outcome == Outcome.REFUSED && (problems.isEmpty() || !running.equals(previous))) {
            throw new IllegalArgumentException("a refused reload names its problems and keeps the running version");
        }
    }

    /**
     * The event published on {@code vigil.rule-events}: {@code outcome}, {@code version} and
     * {@code hash} of the rules now running, {@code previous_version} and {@code previous_hash},
     * {@code problems} (one string each), {@code at} (ISO-8601).
     */
    public byte[] toJson() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("outcome", outcome.name());
        n.put("version", running.label());
        n.put("hash", running.contentHash());
        n.put("previous_version", previous.label());
        n.put("previous_hash", previous.contentHash());
        ArrayNode p = n.putArray("problems");
        problems.forEach(p::add);
        n.put("at", at.toString());
        try {
            return MAPPER.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a rule reload event", e);
        }
    }
}
