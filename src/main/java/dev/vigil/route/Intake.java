package dev.vigil.route;

import dev.vigil.audit.Rejection;
import dev.vigil.event.EventCodec;
import dev.vigil.event.EventSource;
import dev.vigil.event.InvalidEventException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    /** Shared with the publish stage, whose transactions move them forward. */
    private final CommittedOffsets committedOffsets;

    /** @param committedOffsets the same object the publish stage updates after each Kafka transaction */
    Intake(EventCodec codec, PipelineMetrics metrics, Clock clock, CommittedOffsets committedOffsets) {
        this.codec = codec;
        this.metrics = metrics;
        this.clock = clock;
        this.committedOffsets = committedOffsets;
    }

    /** A batch of {@code vigil.transactions} records. */
    public Batch transactionsFromKafka(List<Exchange> records) {
        Batch batch = new Batch("kafka");
        List<Exchange> current = current(records);
        for (Exchange record : current) {
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
        // Only what this batch will decide: records left out as stale are taken in again by their partition's owner.
        metrics.recordEvents("kafka", current.size());
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
     *   <li>records below the partition's committed offset. Either fetched before the rebalance, while
     *       the partition went to another consumer (or instance) that decided them, published them and
     *       committed past them, before it came back here; or fetched a second time after the
     *       rebalance moved the position back to the committed offset, in a later batch than the
     *       first copies, which this consumer has decided and committed meanwhile. Deciding them again
     *       would publish them again, and their audit rows' sources match, so the audit stage would
     *       take them for a delivery whose publication had failed. They are left out.
     * </ul>
     * The committed offsets come from {@link CommittedOffsets}: read from the broker (one round trip)
     * the first time a partition appears in a group generation, then moved forward by this
     * consumer's own transactions, so a steady group pays nothing. Runs on the consumer's own
     * thread, as the Kafka consumer requires.
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
        Set<TopicPartition> inBatch = new HashSet<>();
        for (Exchange record : records) {
            if (record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class) instanceof DefaultKafkaManualCommit c
                    && assigned.contains(c.getPartition())) {
                inBatch.add(c.getPartition());
            }
        }
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets.of(consumer, generation, inBatch);
        List<Exchange> out = current(records, () -> assigned, committed);
        if (log.isDebugEnabled()) {
            Map<Integer, Long> next = new TreeMap<>();
            committed.forEach((p, o) -> next.put(p.partition(), o.offset()));
            log.debug("batch thread={} generation={} member={} assigned={} committed={} fetched={} kept={}",
                    Thread.currentThread().getName(), generation, consumer.groupMetadata().memberId(),
                    assigned.stream().map(TopicPartition::partition).sorted().toList(), next, ranges(records), ranges(out));
        }
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
            log.info("left out {} of {} records a consumer-group rebalance made not this consumer's to decide: {} of partitions"
                    + " now another consumer's, {} fetched twice in this batch, {} below the committed offset (decided already)",
                    revoked + twice + decidedElsewhere,
                    records.size(), revoked, twice, decidedElsewhere);
        }
        return out;
    }

    /** Per partition, the offsets in these records as "partition:first-last(count)", for diagnostics. */
    private static String ranges(List<Exchange> records) {
        Map<Integer, long[]> byPartition = new TreeMap<>();
        for (Exchange record : records) {
            Message m = record.getMessage();
            Integer partition = m.getHeader(KafkaConstants.PARTITION, Integer.class);
            Long offset = m.getHeader(KafkaConstants.OFFSET, Long.class);
            if (partition == null || offset == null) continue;
            long[] r = byPartition.computeIfAbsent(partition, k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
            r[0] = Math.min(r[0], offset);
            r[1] = Math.max(r[1], offset);
            r[2]++;
        }
        StringBuilder out = new StringBuilder();
        byPartition.forEach((p, r) -> out.append(out.isEmpty() ? "" : " ").append(p).append(':').append(r[0]).append('-').append(r[1])
                .append('(').append(r[2]).append(')'));
        return out.toString();
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
