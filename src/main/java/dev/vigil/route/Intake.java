package dev.vigil.route;

import dev.vigil.audit.Rejection;
import dev.vigil.event.EventCodec;
import dev.vigil.event.EventSource;
import dev.vigil.event.InvalidEventException;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * First stage: turns what arrived (a Kafka poll or an HTTP body) into a {@link Batch} of valid
 * events and rejections. A bad event never stops the route: it becomes a rejection.
 */
public final class Intake {
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

    public Intake(EventCodec codec, PipelineMetrics metrics, Clock clock) {
        this.codec = codec;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A batch of {@code vigil.transactions} records. */
    public Batch transactionsFromKafka(List<Exchange> records) {
        Batch batch = new Batch("kafka");
        for (Exchange record : records) {
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
        Batch batch = new Batch("kafka");
        for (Exchange record : records) {
            Message m = record.getMessage();
            EventSource source = kafkaSource(m);
            byte[] raw = bytes(m.getBody(byte[].class));
            try {
                batch.accountEvents.add(codec.parseAccountEvent(raw));
            } catch (InvalidEventException e) {
                reject(batch, source, raw, e);
            }
            rememberCommit(batch, m);
        }
        return batch;
    }

    /** A poll of {@code vigil.lists}: blacklist and whitelist updates; malformed ones become rejections. */
    public Batch listsFromKafka(List<Exchange> records) {
        Batch batch = new Batch("kafka");
        for (Exchange record : records) {
            Message m = record.getMessage();
            EventSource source = kafkaSource(m);
            byte[] raw = bytes(m.getBody(byte[].class));
            try {
                batch.listEntries.add(dev.vigil.feature.ListEntryJson.parse(raw));
            } catch (InvalidEventException e) {
                reject(batch, source, raw, e);
            }
            rememberCommit(batch, m);
        }
        return batch;
    }

    /** A poll of {@code vigil.labels}; malformed ones become rejections. */
    public Batch labelsFromKafka(List<Exchange> records) {
        Batch batch = new Batch("kafka");
        for (Exchange record : records) {
            Message m = record.getMessage();
            EventSource source = kafkaSource(m);
            byte[] raw = bytes(m.getBody(byte[].class));
            try {
                batch.labels.add(dev.vigil.feature.LabelJson.parse(raw));
            } catch (InvalidEventException e) {
                reject(batch, source, raw, e);
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

    private static void rememberCommit(Batch batch, Message m) {
        KafkaManualCommit commit = m.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            String partition = m.getHeader(KafkaConstants.TOPIC, String.class) + "/" + m.getHeader(KafkaConstants.PARTITION, Integer.class);
            batch.lastCommitPerPartition.put(partition, commit);
        }
    }

    private static byte[] bytes(byte[] b) {
        return b == null ? new byte[0] : b;
    }
}
