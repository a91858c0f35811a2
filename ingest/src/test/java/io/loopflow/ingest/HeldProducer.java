package io.loopflow.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test helper: a Kafka producer without Kafka. Records that {@code held} selects wait until the test
 * completes or fails them, in any order; every other record (descriptors retained by other tests,
 * say) succeeds at once.
 */
final class HeldProducer extends MockProducer<String, byte[]> {

    /** One send the test decides the outcome of, once. */
    static final class Held {
        private final ProducerRecord<String, byte[]> record;
        private final Callback callback;
        private final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();

        private Held(ProducerRecord<String, byte[]> record, Callback callback) {
            this.record = record;
            this.callback = callback;
        }

        ProducerRecord<String, byte[]> record() {
            return record;
        }

        boolean done() {
            return future.isDone();
        }

        void succeed() {
            RecordMetadata m = new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, record.timestamp(), 0, 0);
            if (future.complete(m)) {
                callback.onCompletion(m, null);
            }
        }

        void fail(RuntimeException e) {
            if (future.completeExceptionally(e)) {
                callback.onCompletion(null, e);
            }
        }
    }

    private final Predicate<ProducerRecord<String, byte[]>> held;
    private final List<Held> sends = new ArrayList<>();

    HeldProducer(Predicate<ProducerRecord<String, byte[]>> held) {
        super(true, null, new StringSerializer(), new ByteArraySerializer());
        this.held = held;
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        if (!held.test(record)) {
            return super.send(record, callback);
        }
        Held h = new Held(record, callback);
        sends.add(h);
        return h.future;
    }

    /** Completes every held send not completed yet. */
    void succeedAll() {
        held().forEach(Held::succeed);
    }

    /** Every held send so far, in the order the gateway made them. */
    synchronized List<Held> held() {
        return List.copyOf(sends);
    }
}
