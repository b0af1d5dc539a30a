package dev.vigil.route;

import dev.vigil.event.EventSource;
import dev.vigil.event.TransactionEvent;

/** A valid transaction with the delivery it came in and its original bytes. */
public record Incoming(TransactionEvent event, EventSource source, byte[] raw) {}
