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
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Camel builds a Kafka batch over several polls; a rebalance between them leaves records in it
 * twice, or of partitions another consumer now owns. Decided, they were published twice (seen in
 * PipelineIT with two consumer threads). The intake leaves them out.
 */
class IntakeRebalanceTest {
    private final DefaultCamelContext camel = new DefaultCamelContext();

    @Test
    void shouldDecideARecordFetchedTwiceOnceAndLeaveOutPartitionsNoLongerAssigned() throws Exception {
        // A real consumer (it never connects: assign() is local) that now owns partitions 0 and 1 only
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:1"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(Topics.TRANSACTIONS, 0), new TopicPartition(Topics.TRANSACTIONS, 1)));
            List<Exchange> batch = new ArrayList<>();
            batch.add(record(consumer, 0, 5, "a"));
            batch.add(record(consumer, 1, 7, "b"));
            batch.add(record(consumer, 2, 3, "c")); // partition 2 moved to another consumer in the rebalance
            batch.add(record(consumer, 1, 7, "b")); // fetched again after the position went back
            batch.add(record(consumer, 1, 8, "d"));

            Batch b = new Intake(new EventCodec(Clock.systemUTC()), new PipelineMetrics(), Clock.systemUTC()).transactionsFromKafka(batch);

            assertEquals(List.of("a", "b", "d"), b.transactions.stream().map(i -> i.event().transactionId()).toList());
            // and the offsets to commit run to the highest record of each owned partition only
            assertEquals(List.of("vigil.transactions/0", "vigil.transactions/1"), List.copyOf(b.lastCommitPerPartition.keySet()));
            assertEquals(8, ((DefaultKafkaManualCommit) b.lastCommitPerPartition.get("vigil.transactions/1")).getRecordOffset());
        }
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
