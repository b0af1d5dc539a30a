package dev.vigil.route;

import dev.vigil.audit.Rejection;
import dev.vigil.decision.Decision;
import dev.vigil.decision.DecisionJson;
import dev.vigil.event.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Fourth stage: every decision to {@code vigil.decisions}, REVIEW and BLOCK also to
 * {@code vigil.alerts}, rejections to {@code vigil.dlq} with their original bytes. Waits for the
 * broker's acknowledgement of all of them before the offsets are committed.
 */
public final class PublishStage {
    /** DLQ record headers. */
    public static final String REASON_CODE = "vigil.reason.code";
    public static final String REASON_MESSAGE = "vigil.reason.message";
    public static final String SOURCE = "vigil.source";

    private final Producer<String, byte[]> producer;
    private final Retrying retrying;
    private final PipelineMetrics metrics;

    PublishStage(Producer<String, byte[]> producer, Retrying retrying, PipelineMetrics metrics) {
        this.producer = producer;
        this.retrying = retrying;
        this.metrics = metrics;
    }

    public Batch publish(Batch batch) {
        long start = System.nanoTime();
        retrying.run("kafka", batch, () -> sendAndAwait(batch));
        metrics.recordStage("publish", System.nanoTime() - start);
        return batch;
    }

    private void sendAndAwait(Batch batch) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < batch.decisions.size(); i++) {
            if (!batch.toPublish.get(i)) continue;
            Decision d = batch.decisions.get(i);
            byte[] json = DecisionJson.toBytes(d);
            String key = d.event().accountId();
            sent.add(producer.send(new ProducerRecord<>(Topics.DECISIONS, key, json)));
            if (d.verdict().isAlert()) sent.add(producer.send(new ProducerRecord<>(Topics.ALERTS, key, json)));
        }
        for (Rejection r : batch.rejections) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(REASON_CODE, r.reason().name().getBytes(StandardCharsets.UTF_8));
            headers.add(REASON_MESSAGE, r.message().getBytes(StandardCharsets.UTF_8));
            headers.add(SOURCE, r.source().toString().getBytes(StandardCharsets.UTF_8));
            sent.add(producer.send(new ProducerRecord<>(Topics.DLQ, null, null, r.transactionId(), r.rawEvent(), headers)));
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("publishing to Kafka failed: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing", e);
            }
        }
    }

    /**
     * Last stage of the Kafka routes: the offsets, only now that audit and publication are done.
     * All partitions of the batch go in one synchronous commit (one round trip, not one per
     * partition). This runs on the consumer's own thread, as the Kafka consumer requires.
     */
    public void commitOffsets(Batch batch) {
        long start = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Consumer<?, ?> consumer = null;
        for (KafkaManualCommit handle : batch.lastCommitPerPartition.values()) {
            if (handle instanceof DefaultKafkaManualCommit c) {
                consumer = c.getConsumer();
                offsets.put(c.getPartition(), new OffsetAndMetadata(c.getRecordOffset() + 1));
            } else {
                handle.commit();
            }
        }
        if (consumer != null) consumer.commitSync(offsets);
        metrics.recordStage("commit", System.nanoTime() - start);
        metrics.recordBatch(System.nanoTime() - batch.arrivedNanos);
    }
}
