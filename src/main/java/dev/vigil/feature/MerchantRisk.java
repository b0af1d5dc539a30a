package dev.vigil.feature;

import java.util.Map;

/**
 * The risk class of a merchant category code (ISO 18245), a small fixed table: what card schemes
 * and AML guidance single out as high-risk (funds move on, or value is easy to resell), and
 * categories often abused in card fraud as medium. Documented in {@code docs/features.md}.
 */
final class MerchantRisk {

    private MerchantRisk() {}

    static final long NONE = 0;
    static final long LOW = 1;
    static final long MEDIUM = 2;
    static final long HIGH = 3;

    /** MCC to class; besides these, airlines 3000-3350 and lodging 3501-3999 are MEDIUM, any other MCC LOW. */
    private static final Map<String, Long> TABLE = Map.ofEntries(
            Map.entry("4829", HIGH),   // money transfer, wire
            Map.entry("6051", HIGH),   // quasi-cash: crypto, money orders, foreign currency
            Map.entry("6540", HIGH),   // stored value card loads
            Map.entry("6211", HIGH),   // securities brokers
            Map.entry("7995", HIGH),   // betting, casino chips, lottery
            Map.entry("7801", HIGH),   // government-licensed online casinos
            Map.entry("7802", HIGH),   // government-licensed horse and dog racing
            Map.entry("5933", HIGH),   // pawn shops
            Map.entry("5967", HIGH),   // direct marketing, inbound teleservices
            Map.entry("5732", MEDIUM), // electronics
            Map.entry("5944", MEDIUM), // jewellery, watches
            Map.entry("5094", MEDIUM), // precious stones and metals
            Map.entry("4722", MEDIUM), // travel agencies
            Map.entry("4511", MEDIUM), // airlines
            Map.entry("7011", MEDIUM), // hotels
            Map.entry("5816", MEDIUM), // digital goods: games
            Map.entry("5818", MEDIUM), // digital goods: large merchants
            Map.entry("5999", MEDIUM)); // miscellaneous retail


    static long riskClass(String mcc) {
        if (mcc == null) return NONE;
        Long c = TABLE.get(mcc);
        if (c != null) return c;
        if (mcc.length() == 4 && mcc.chars().allMatch(Character::isDigit)) {
            int code = Integer.parseInt(mcc);
            if ((code >= 3000 && code <= 3350) || (code >= 3501 && code <= 3999)) return MEDIUM;
        }
        return LOW;
    }
}
