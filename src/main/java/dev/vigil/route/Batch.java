package dev.vigil.route;

import dev.vigil.audit.Rejection;
import dev.vigil.decision.Decision;
import dev.vigil.event.AccountEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * The unit that moves through the route's stages: what one Kafka poll or one HTTP request brought
 * in, and what each stage made of it. Stages run one after another on one thread.
 */
public final class Batch {
    final String channel;
    final long arrivedNanos = System.nanoTime();
    final List<Incoming> transactions = new ArrayList<>();
    final List<AccountEvent> accountEvents = new ArrayList<>();
    final List<dev.vigil.feature.ListEntry> listEntries = new ArrayList<>();
    final List<dev.vigil.feature.Label> labels = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();
    /** Per transaction, in order, after the decide stage. */
    List<Decision> decisions = List.of();
    /** Per decision, in order, after the audit stage: true when this delivery should be published. */
    List<Boolean> toPublish = List.of();
    /** Per decision: true when the transaction id had been decided before (a resubmission). */
    List<Boolean> duplicates = List.of();
    /** The commit handle of the last record of each partition in the batch (Kafka only). */
    final Map<String, KafkaManualCommit> lastCommitPerPartition = new LinkedHashMap<>();
    /** The HTTP request id (HTTP only). */
    String requestId;

    Batch(String channel) {
        this.channel = channel;
    }
}
