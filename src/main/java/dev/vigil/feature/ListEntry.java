package dev.vigil.feature;

import java.util.Locale;
import java.util.Objects;

/**
 * One change to a blacklist or whitelist: an account, customer, device, IP or merchant put on a
 * list ({@code member = true}) or taken off it. From the list files ({@code rules/lists/*.csv}) and
 * the {@code vigil.lists} topic. Membership is as of when a transaction is enriched (processing
 * order), and a redelivered transaction keeps the answer of its first enrichment.
 */
public record ListEntry(Kind list, Entity entity, String id, boolean member) {

    /** Which list. */
    public enum Kind { BLACKLIST, WHITELIST }

    /** What the id names; the letter is its Redis hash-tag prefix. */
    public enum Entity {
        ACCOUNT("a"), CUSTOMER("c"), DEVICE("d"), IP("i"), MERCHANT("m");

        final String tag;

        Entity(String tag) {
            this.tag = tag;
        }

        /** ACCOUNT, account or Account. */
        public static Entity parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public ListEntry {
        Objects.requireNonNull(list, "list");
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) throw new IllegalArgumentException("a list entry needs an id");
    }
}
