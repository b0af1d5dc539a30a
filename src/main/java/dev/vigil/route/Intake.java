package dev.vigil.route;

import dev.vigil.audit.Rejection;
import dev.vigil.event.EventCodec;
import dev.vigil.event.EventSource;
import dev.vigil.event.InvalidEventException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stage: turns what arrived (a Kafka poll or an HTTP body) into a {@link Batch} of valid
 * events and rejections. A bad event never stops the route: it becomes a rejection.
 */
public final class Intake {
    private static final Logger log = LoggerFactory.getLogger(Intake.class);
    /** The HTTP header a rail may send to name its request; one is made up when it is absent. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    /**
     * Exchange property naming the API client that made the request, set by the access gate; the
     * decision's source ref is then {@code <client>/<request id>}.
     */
    public static final String CLIENT_PROPERTY = "vigil.client";

    private final EventCodec codec;
    private final PipelineMetrics metrics;
    private final Clock clock;
    /** Per Kafka consumer (one per consumer thread): the group generation when its last batch was assembled. */
    private final Map<Consumer<?, ?>, Integer> generationAtLastBatch = java.util.Collections.synchronizedMap(new WeakHashMap<>());
    private static final java.time.Duration COMMITTED_TIMEOUT = java.time.Duration.ofSeconds(15);

    public Intake(EventCodec codec, PipelineMetrics metrics, Clock clock) {
        this.codec = codec;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A batch of {@code vigil.transactions} records. */
    public Batch transactionsFromKafka(List<Exchange> records) {
        Batch batch = new Batch("kafka");
        for (Exchange record : current(records)) {
            Message m = record.getMessage();
            EventSource source = kafkaSource(m);
            byte[] raw = bytes(m.getBody(byte[].class));
            try {
                batch.transactions.add(new Incoming(codec.parseTransaction(raw), source, raw));
            } catch (InvalidEventException e) {
                reject(batch, source, raw, e);
            }
            rememberCommit(batch, m);
        }
        metrics.recordEvents("kafka", records.size());
        return batch;
    }

    /** A batch of {@code vigil.account-events} records. */
    public Batch accountEventsFromKafka(List<Exchange> records) {
        return parseEach(current(records), codec::parseAccountEvent, b -> b.accountEvents);
    }

    /** A poll of {@code vigil.lists}: blacklist and whitelist updates; malformed ones become rejections. */
    public Batch listsFromKafka(List<Exchange> records) {
        return parseEach(records, dev.vigil.feature.ListEntryJson::parse, b -> b.listEntries);
    }

    /** A poll of {@code vigil.labels}; malformed ones become rejections. */
    public Batch labelsFromKafka(List<Exchange> records) {
        return parseEach(records, dev.vigil.feature.LabelJson::parse, b -> b.labels);
    }

    /** Reads one kind of record from a Kafka topic. */
    private interface RecordParser<T> {
        T parse(byte[] raw) throws InvalidEventException;
    }

    /** Parses each record into the batch's list for its kind; a malformed one becomes a rejection. */
    private <T> Batch parseEach(Iterable<Exchange> records, RecordParser<T> parser,
            java.util.function.Function<Batch, List<T>> into) {
        Batch batch = new Batch("kafka");
        List<T> parsed = into.apply(batch);
        for (Exchange record : records) {
            Message m = record.getMessage();
            byte[] raw = bytes(m.getBody(byte[].class));
            try {
                parsed.add(parser.parse(raw));
            } catch (InvalidEventException e) {
                reject(batch, kafkaSource(m), raw, e);
            }
            rememberCommit(batch, m);
        }
        return batch;
    }

    /** One {@code POST /v1/decisions} request. */
    public Batch transactionFromHttp(Exchange exchange) {
        Batch batch = new Batch("http");
        Message m = exchange.getMessage();
        String requestId = m.getHeader(REQUEST_ID_HEADER, String.class);
        if (requestId == null || requestId.isBlank() || requestId.length() > 128) requestId = UUID.randomUUID().toString();
        batch.requestId = requestId;
        String client = exchange.getProperty(CLIENT_PROPERTY, String.class);
        EventSource source = EventSource.http(client == null ? requestId : client + "/" + requestId);
        byte[] raw = bytes(m.getBody(byte[].class));
        try {
            batch.transactions.add(new Incoming(codec.parseTransaction(raw), source, raw));
        } catch (InvalidEventException e) {
            reject(batch, source, raw, e);
        }
        metrics.recordEvents("http", 1);
        return batch;
    }

    private void reject(Batch batch, EventSource source, byte[] raw, InvalidEventException e) {
        batch.rejections.add(new Rejection(source, raw, e.reason(), e.getMessage(), e.transactionId(), clock.instant()));
        metrics.recordRejection(e.reason(), source.channel());
    }

    private static EventSource kafkaSource(Message m) {
        return EventSource.kafka(
                m.getHeader(KafkaConstants.TOPIC, String.class),
                m.getHeader(KafkaConstants.PARTITION, Integer.class),
                m.getHeader(KafkaConstants.OFFSET, Long.class));
    }

    /**
     * The records this consumer should decide. Camel assembles a batch over several polls, and a
     * consumer-group rebalance between two polls can leave in it records that are no longer this
     * consumer's to decide:
     * <ul>
     *   <li>records of partitions that now belong to another consumer (that consumer decides them);
     *   <li>records fetched twice (the position went back to the committed offset after the
     *       rebalance): one copy is kept;
     *   <li>records below the partition's committed offset: fetched before the rebalance, while the
     *       partition went to another consumer (or instance) that decided them, published them and
     *       committed past them, before it came back here. Deciding them again would publish them
     *       again, and their audit rows' sources match, so the audit stage would take them for a
     *       delivery whose publication had failed. They are left out.
     * </ul>
     * The committed offsets are asked for (one round trip) only when the group generation changed
     * since this consumer's previous batch, i.e. when a rebalance can have happened while the batch
     * was being assembled. Runs on the consumer's own thread, as the Kafka consumer requires.
     */
    List<Exchange> current(List<Exchange> records) {
        Consumer<?, ?> consumer = null;
        for (Exchange record : records) {
            if (record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class) instanceof DefaultKafkaManualCommit c) {
                consumer = c.getConsumer();
                break;
            }
        }
        if (consumer == null) return current(records, Set::of, Map.of());
        Set<TopicPartition> assigned = consumer.assignment();
        int generation = consumer.groupMetadata().generationId();
        Integer before = generationAtLastBatch.get(consumer);
        Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
        if (before == null || before != generation) {
            Set<TopicPartition> inBatch = new HashSet<>();
            for (Exchange record : records) {
                if (record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class) instanceof DefaultKafkaManualCommit c
                        && assigned.contains(c.getPartition())) {
                    inBatch.add(c.getPartition());
                }
            }
            if (!inBatch.isEmpty()) {
                Map<TopicPartition, OffsetAndMetadata> found = consumer.committed(inBatch, COMMITTED_TIMEOUT);
                committed = new HashMap<>();
                for (var e : found.entrySet()) if (e.getValue() != null) committed.put(e.getKey(), e.getValue());
            }
        }
        List<Exchange> out = current(records, () -> assigned, committed);
        generationAtLastBatch.put(consumer, generation);
        return out;
    }

    /**
     * {@link #current(List)} given the consumer's assignment and the committed offsets of the
     * partitions (empty when no rebalance can have happened since the previous batch).
     */
    static List<Exchange> current(List<Exchange> records, java.util.function.Supplier<Set<TopicPartition>> assignment,
            Map<TopicPartition, OffsetAndMetadata> committed) {
        Set<TopicPartition> assigned = null;
        Set<String> seen = new HashSet<>();
        List<Exchange> out = new ArrayList<>(records.size());
        int revoked = 0;
        int twice = 0;
        int decidedElsewhere = 0;
        for (Exchange record : records) {
            Message m = record.getMessage();
            if (m.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class) instanceof DefaultKafkaManualCommit c) {
                if (assigned == null) assigned = assignment.get();
                if (!assigned.contains(c.getPartition())) {
                    revoked++;
                    continue;
                }
                OffsetAndMetadata next = committed.get(c.getPartition());
                if (next != null && c.getRecordOffset() < next.offset()) {
                    decidedElsewhere++;
                    continue;
                }
            }
            String at = m.getHeader(KafkaConstants.TOPIC, String.class) + "/" + m.getHeader(KafkaConstants.PARTITION, Integer.class)
                    + "/" + m.getHeader(KafkaConstants.OFFSET, Long.class);
            if (!seen.add(at)) {
                twice++;
                continue;
            }
            out.add(record);
        }
        if (revoked + twice + decidedElsewhere > 0) {
            log.info("left out {} of {} records fetched before a consumer-group rebalance: {} of partitions now another"
                    + " consumer's, {} fetched twice, {} below the committed offset", revoked + twice + decidedElsewhere,
                    records.size(), revoked, twice, decidedElsewhere);
        }
        return out;
    }

    /** The handle of the highest offset of each partition: the batch's offsets commit up to it. */
    static void rememberCommit(Batch batch, Message m) {
        KafkaManualCommit commit = m.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            String partition = m.getHeader(KafkaConstants.TOPIC, String.class) + "/" + m.getHeader(KafkaConstants.PARTITION, Integer.class);
            KafkaManualCommit before = batch.lastCommitPerPartition.get(partition);
            if (before instanceof DefaultKafkaManualCommit b && commit instanceof DefaultKafkaManualCommit c
                    && b.getRecordOffset() > c.getRecordOffset()) {
                return;
            }
            batch.lastCommitPerPartition.put(partition, commit);
        }
    }

    private static byte[] bytes(byte[] b) {
        return b == null ? new byte[0] : b;
    }
}
