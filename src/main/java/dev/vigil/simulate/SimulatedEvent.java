package dev.vigil.simulate;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.TransactionEvent;
import java.time.Instant;
import java.util.Objects;

/** One event of the simulated stream: a labelled transaction or an account event. */
public sealed interface SimulatedEvent {

    /** Event time; the stream never goes back in it. */
    Instant occurredAt();

    /** The account the event is about (the Kafka key). */
    String accountId();

    /** A transaction and its ground truth; {@code label.transactionId()} equals the event's. */
    record Transaction(TransactionEvent event, Label label) implements SimulatedEvent {
        public Transaction {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(label, "label");
            if (!label.transactionId().equals(event.transactionId())) {
                throw new IllegalArgumentException("label is for " + label.transactionId()
                        + ", not " + event.transactionId());
            }
        }

        @Override
        public Instant occurredAt() {
            return event.occurredAt();
        }

        @Override
        public String accountId() {
            return event.accountId();
        }
    }

    /** An account life-cycle or identity event. Not labelled: the labels are per transaction. */
    record Account(AccountEvent event) implements SimulatedEvent {
        public Account {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public Instant occurredAt() {
            return event.occurredAt();
        }

        @Override
        public String accountId() {
            return event.accountId();
        }
    }
}
