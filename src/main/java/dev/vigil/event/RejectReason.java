package dev.vigil.event;

/** Why an event was rejected. The names are the machine-readable reason codes. */
public enum RejectReason {
    PAYLOAD_TOO_LARGE,
    INVALID_UTF8,
    NOT_JSON,
    NOT_AN_OBJECT,
    MISSING_FIELD,
    UNKNOWN_FIELD,
    WRONG_TYPE,
    UNKNOWN_EVENT_TYPE,
    NEGATIVE_AMOUNT,
    NON_NUMERIC_AMOUNT,
    UNKNOWN_CURRENCY,
    BAD_TIMESTAMP,
    FUTURE_TIMESTAMP,
    INVALID_VALUE
}
