package dev.vigil.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Camel builds a Kafka batch over several polls; a rebalance between them leaves records in it
 * twice, of partitions another consumer now owns, or that another consumer decided and committed
 * while the partition was away. Decided, they were published twice (seen in PipelineIT with two
 * consumer threads). The intake leaves them out.
 */
class IntakeRebalanceTest {
    private final DefaultCamelContext camel = new DefaultCamelContext();

    @Test
    void shouldDecideARecordFetchedTwiceOnceAndLeaveOutPartitionsNoLongerAssigned() throws Exception {
        // A real consumer (it never connects: assign() is local) that now owns partitions 0 and 1 only
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.assign(List.of(new TopicPartition(Topics.TRANSACTIONS, 0), new TopicPartition(Topics.TRANSACTIONS, 1)));
            List<Exchange> batch = new ArrayList<>();
            batch.add(record(consumer, 0, 5, "a"));
            batch.add(record(consumer, 1, 7, "b"));
            batch.add(record(consumer, 2, 3, "c")); // partition 2 moved to another consumer in the rebalance
            batch.add(record(consumer, 1, 7, "b")); // fetched again after the position went back
            batch.add(record(consumer, 1, 8, "d"));

            List<Exchange> kept = Intake.current(batch, consumer::assignment, Map.of());

            assertEquals(List.of("a", "b", "d"), ids(kept));
        }
    }

    @Test
    void shouldLeaveOutRecordsAnotherConsumerDecidedAndCommittedWhileThePartitionWasAway() throws Exception {
        // Given a batch assembled over polls: partition 0 offsets 5 to 7 fetched in one generation; then the
        // partition went to another consumer, which decided offsets 5 to 8 and committed 9; then it came back,
        // and the position restarted at the committed offset 9
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            TopicPartition p0 = new TopicPartition(Topics.TRANSACTIONS, 0);
            TopicPartition p1 = new TopicPartition(Topics.TRANSACTIONS, 1);
            consumer.assign(List.of(p0, p1));
            List<Exchange> batch = new ArrayList<>();
            batch.add(record(consumer, 0, 5, "a"));  // stale: decided and published by the other consumer
            batch.add(record(consumer, 1, 3, "x"));  // partition 1 stayed here: its committed offset is 3, so 3 is new
            batch.add(record(consumer, 0, 6, "b"));  // stale
            batch.add(record(consumer, 0, 7, "c"));  // stale
            batch.add(record(consumer, 0, 9, "e"));  // after the return: not decided yet
            batch.add(record(consumer, 1, 4, "y"));

            List<Exchange> kept = Intake.current(batch, consumer::assignment,
                    Map.of(p0, new OffsetAndMetadata(9), p1, new OffsetAndMetadata(3)));

            // Then only what nobody has committed past is decided here
            assertEquals(List.of("x", "e", "y"), ids(kept));
        }
    }

    @Test
    void shouldLeaveOutRecordsFetchedAgainInALaterBatchAfterTheFirstCopiesWereCommitted() throws Exception {
        // Issue 7, as seen in ConsumerGroupRebalanceIT: a rebalance kept partition 3 with this consumer and moved its
        // position back to the committed offset 167. The batch being assembled already held offsets 167 to 177,
        // fetched before the rebalance; it was dispatched, decided and committed up to 178. The copies fetched again
        // from 167 came in the next batch, in the same generation.
        try (KafkaConsumer<String, byte[]> consumer = consumer("vigil")) {
            TopicPartition p3 = new TopicPartition(Topics.TRANSACTIONS, 3);
            consumer.assign(List.of(p3));
            int generation = consumer.groupMetadata().generationId();
            CommittedOffsets committed = new CommittedOffsets();
            List<Set<TopicPartition>> brokerReads = new ArrayList<>();
            committed.of(consumer, generation, Set.of(p3), asked -> {
                brokerReads.add(asked);
                return Map.of(p3, new OffsetAndMetadata(167));
            });
            Intake intake = new Intake(new EventCodec(Clock.systemUTC(), java.time.Duration.ofMinutes(5), 65536),
                    new PipelineMetrics(), Clock.systemUTC(), committed);

            List<Exchange> first = new ArrayList<>();
            for (long offset = 167; offset <= 177; offset++) first.add(record(consumer, 3, offset, "t" + offset));
            assertEquals(11, intake.current(first).size());
            // the publish stage's transaction commits 178
            committed.committed(consumer, generation, Map.of(p3, new OffsetAndMetadata(178)));

            List<Exchange> second = new ArrayList<>();
            for (long offset = 167; offset <= 189; offset++) second.add(record(consumer, 3, offset, "t" + offset));
            List<Exchange> kept = intake.current(second);

            // Then only the records past the consumer's own commit are decided, with no further broker round trip
            assertEquals(ids(second.subList(11, 23)), ids(kept));
            assertEquals(1, brokerReads.size());
        }
    }

    @Test
    void shouldCountAsTakenInOnlyTheRecordsItWillDecide() throws Exception {
        // A Kafka batch's stale records are left out; counting them as taken in overstated what a consumer held
        // (seen once in BackPressureIT: 252 held by two consumers of 100)
        try (KafkaConsumer<String, byte[]> consumer = consumer("vigil")) {
            TopicPartition p0 = new TopicPartition(Topics.TRANSACTIONS, 0);
            consumer.assign(List.of(p0));
            CommittedOffsets committed = new CommittedOffsets();
            committed.of(consumer, consumer.groupMetadata().generationId(), Set.of(p0), asked -> Map.of(p0, new OffsetAndMetadata(5)));
            PipelineMetrics metrics = new PipelineMetrics();
            Intake intake = new Intake(new EventCodec(Clock.systemUTC(), java.time.Duration.ofMinutes(5), 65536),
                    metrics, Clock.systemUTC(), committed);

            Batch batch = intake.transactionsFromKafka(List.of(
                    record(consumer, 0, 4, "a"),   // below the committed offset: decided already
                    record(consumer, 0, 5, "b"),
                    record(consumer, 2, 9, "c"),   // another consumer's partition now
                    record(consumer, 0, 5, "b"),   // fetched twice
                    record(consumer, 0, 6, "d")));

            assertEquals(2, batch.transactions.size());
            assertEquals(2, metrics.events("kafka"));
        }
    }

    @Test
    void shouldReadTheCommittedOffsetsAgainAfterARebalanceOrAFailedTransaction() throws Exception {
        try (KafkaConsumer<String, byte[]> consumer = consumer("vigil")) {
            TopicPartition p0 = new TopicPartition(Topics.TRANSACTIONS, 0);
            TopicPartition p1 = new TopicPartition(Topics.TRANSACTIONS, 1);
            CommittedOffsets committed = new CommittedOffsets();
            Map<TopicPartition, OffsetAndMetadata> broker = new java.util.HashMap<>(Map.of(p0, new OffsetAndMetadata(10)));
            List<Set<TopicPartition>> reads = new ArrayList<>();
            java.util.function.Function<Set<TopicPartition>, Map<TopicPartition, OffsetAndMetadata>> read = asked -> {
                reads.add(Set.copyOf(asked));
                return Map.copyOf(broker);
            };

            // Nothing committed for p1 yet: every offset is new
            assertEquals(Map.of(p0, new OffsetAndMetadata(10), p1, new OffsetAndMetadata(0)), committed.of(consumer, 4, Set.of(p0, p1), read));
            // Own commits move it forward, without a read; a partition seen for the first time is read alone
            committed.committed(consumer, 4, Map.of(p0, new OffsetAndMetadata(15)));
            assertEquals(Map.of(p0, new OffsetAndMetadata(15)), committed.of(consumer, 4, Set.of(p0), read));
            assertEquals(1, reads.size());
            // A new generation: another consumer may have committed meanwhile
            broker.put(p0, new OffsetAndMetadata(30));
            assertEquals(Map.of(p0, new OffsetAndMetadata(30)), committed.of(consumer, 5, Set.of(p0), read));
            assertEquals(Set.of(p0), reads.get(1));
            // A transaction whose outcome is unknown: read again
            committed.forget(consumer);
            broker.put(p0, new OffsetAndMetadata(31));
            assertEquals(Map.of(p0, new OffsetAndMetadata(31)), committed.of(consumer, 5, Set.of(p0), read));
            // A commit under another generation than the one known says nothing reliable: read again
            committed.committed(consumer, 6, Map.of(p0, new OffsetAndMetadata(40)));
            assertEquals(Map.of(p0, new OffsetAndMetadata(31)), committed.of(consumer, 5, Set.of(p0), read));
            assertEquals(4, reads.size());
        }
    }

    @Test
    void shouldCommitEachPartitionUpToItsHighestRecord() throws Exception {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<Exchange> batch = List.of(record(consumer, 1, 8, "d"), record(consumer, 1, 7, "b"), record(consumer, 0, 5, "a"));
            Batch t = new Batch("kafka");
            for (Exchange e : batch) Intake.rememberCommit(t, e.getMessage());
            assertEquals(List.of("vigil.transactions/1", "vigil.transactions/0"), List.copyOf(t.lastCommitPerPartition.keySet()));
            assertEquals(8, ((DefaultKafkaManualCommit) t.lastCommitPerPartition.get("vigil.transactions/1")).getRecordOffset());
        }
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:1"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** A consumer of a group (its group metadata can be read); it never connects. */
    private static KafkaConsumer<String, byte[]> consumer(String group) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:1", "group.id", group, "enable.auto.commit", false),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<String> ids(List<Exchange> kept) {
        List<String> ids = new ArrayList<>();
        for (Exchange e : kept) {
            String body = new String(e.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
            ids.add(body.replaceAll(".*\"transaction_id\":\"([^\"]*)\".*", "$1"));
        }
        return ids;
    }

    private Exchange record(KafkaConsumer<String, byte[]> consumer, int partition, long offset, String id) {
        Exchange e = new DefaultExchange(camel);
        String json = "{\"transaction_id\":\"" + id + "\",\"occurred_at\":\"" + Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
                + "\",\"account_id\":\"acc\",\"customer_id\":\"cust\",\"type\":\"PURCHASE\",\"amount\":\"1.00\",\"currency\":\"EUR\"}";
        e.getMessage().setBody(json.getBytes(StandardCharsets.UTF_8));
        e.getMessage().setHeader(KafkaConstants.TOPIC, Topics.TRANSACTIONS);
        e.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        e.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        e.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new DefaultKafkaManualCommitFactory().newInstance(
                new KafkaManualCommitFactory.CamelExchangePayload(e, consumer, "t", null),
                new KafkaManualCommitFactory.KafkaRecordPayload(new TopicPartition(Topics.TRANSACTIONS, partition), offset, 1000), null));
        return e;
    }
}
