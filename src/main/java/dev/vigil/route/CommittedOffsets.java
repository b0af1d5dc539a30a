package dev.vigil.route;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Per Kafka consumer (one per consumer thread): the group's committed offset of each partition the
 * consumer decides, in its current group generation. Read from the broker once per partition and
 * generation, then kept up to date by the consumer's own transactions, which are the only ones that
 * can commit the partition while the consumer owns it.
 *
 * <p>The intake leaves out every record below it. Checking only in the batch that follows a
 * rebalance is not enough (issue 7): after an eager rebalance the consumer's position goes back to
 * the committed offset, and the records fetched again can arrive in a later batch than the first
 * copies, after those were decided and committed.
 */
final class CommittedOffsets {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    /** What is known of one consumer's partitions in one generation. */
    private static final class Known {
        final int generation;
        /** The next offset to decide per partition; a partition absent here is not known yet. */
        final Map<TopicPartition, Long> next = new HashMap<>();

        Known(int generation) {
            this.generation = generation;
        }
    }

    private final Map<Consumer<?, ?>, Known> byConsumer = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The committed offsets of these partitions in this generation, read from the broker (with
     * {@code consumer.committed}, which waits for offsets of transactions still open) for those not
     * known yet. Runs on the consumer's own thread.
     */
    Map<TopicPartition, OffsetAndMetadata> of(Consumer<?, ?> consumer, int generation, Set<TopicPartition> partitions) {
        return of(consumer, generation, partitions, unknown -> consumer.committed(unknown, READ_TIMEOUT));
    }

    /** {@link #of(Consumer, int, Set)} with the broker read given, for tests. */
    Map<TopicPartition, OffsetAndMetadata> of(Consumer<?, ?> consumer, int generation, Set<TopicPartition> partitions,
            Function<Set<TopicPartition>, Map<TopicPartition, OffsetAndMetadata>> readFromBroker) {
        Known known = byConsumer.get(consumer);
        if (known == null || known.generation != generation) {
            known = new Known(generation);
            byConsumer.put(consumer, known);
        }
        Set<TopicPartition> unknown = new HashSet<>(partitions);
        unknown.removeAll(known.next.keySet());
        if (!unknown.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> read = readFromBroker.apply(unknown);
            for (TopicPartition p : unknown) {
                OffsetAndMetadata committed = read.get(p);
                // Nothing committed yet: no record of the partition has been decided by the group.
                known.next.put(p, committed == null ? 0L : committed.offset());
            }
        }
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition p : partitions) out.put(p, new OffsetAndMetadata(known.next.get(p)));
        return out;
    }

    /** This consumer's transaction committed these offsets under this generation. */
    void committed(Consumer<?, ?> consumer, int generation, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Known known = byConsumer.get(consumer);
        if (known == null || known.generation != generation) {
            byConsumer.remove(consumer);
            return;
        }
        offsets.forEach((p, o) -> known.next.merge(p, o.offset(), Math::max));
    }

    /**
     * The outcome of this consumer's last transaction is unknown, or it failed: the next batch reads
     * the committed offsets from the broker again.
     */
    void forget(Consumer<?, ?> consumer) {
        byConsumer.remove(consumer);
    }
}
