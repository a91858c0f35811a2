package io.loopflow.ingest;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Acknowledges MQTT messages in the order they arrived, each only once every Kafka record it
 * produced has been acknowledged by Kafka. MQTT 5 (4.6) requires PUBACKs in the order the
 * PUBLISHes were received, while Kafka's callbacks for different partitions complete in any order:
 * so an entry that is done waits behind an earlier one that is not, and a failed entry blocks
 * every later one until {@link #reset()} (the connection is dropped and the broker redelivers all
 * unacknowledged messages).
 *
 * <p>A {@linkplain #reset() reset} starts a new generation: entries of an older one are forgotten
 * and their late completions ignored, because a packet id of the old connection may already name a
 * different message on the new one. Thread-safe; the acker runs under the queue's lock so that
 * acks leave in order whichever thread completes an entry.
 *
 * @param <T> what the acker needs to acknowledge a message (its packet id and QoS)
 */
final class AckQueue<T> {
    private final Consumer<T> acker;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private long generation;
    private boolean failedThisGeneration;

    AckQueue(Consumer<T> acker) {
        this.acker = acker;
    }

    /** One message waiting for {@code parts} Kafka acknowledgements. */
    final class Entry {
        private final T token;
        private final long generation;
        private int remaining;
        private boolean failed;

        private Entry(T token, int parts, long generation) {
            this.token = token;
            this.remaining = parts;
            this.generation = generation;
        }

        /** One record of this message is in Kafka. */
        void partDone() {
            AckQueue.this.partDone(this);
        }

        /**
         * A record of this message could not be written: it must never be acknowledged.
         *
         * @return true when this is the first failure of the current generation, i.e. the caller should
         *     drop the connection so that the broker redelivers; false when a reconnect is already due or
         *     the entry belongs to an older connection
         */
        boolean fail() {
            return AckQueue.this.fail(this);
        }

        long generation() {
            return generation;
        }

        T token() {
            return token;
        }
    }

    /** Appends a message that produced {@code parts} Kafka records; with 0 parts it is done at once. */
    synchronized Entry add(T token, int parts) {
        if (parts < 0) {
            throw new IllegalArgumentException("parts must not be negative, got " + parts);
        }
        Entry e = new Entry(token, parts, generation);
        queue.addLast(e);
        drain();
        return e;
    }

    private synchronized void partDone(Entry e) {
        if (e.generation != generation || e.failed) {
            return;
        }
        if (e.remaining <= 0) {
            throw new IllegalStateException("more completions than parts for " + e.token);
        }
        e.remaining--;
        drain();
    }

    private synchronized boolean fail(Entry e) {
        if (e.generation != generation) {
            return false;
        }
        e.failed = true;
        boolean first = !failedThisGeneration;
        failedThisGeneration = true;
        return first;
    }

    /**
     * Forgets every entry (the connection they came on is gone; the broker redelivers them) and
     * starts a new generation.
     *
     * @return how many entries were forgotten
     */
    synchronized int reset() {
        int forgotten = queue.size();
        queue.clear();
        generation++;
        failedThisGeneration = false;
        return forgotten;
    }

    synchronized long generation() {
        return generation;
    }

    /** Messages not yet acknowledged. */
    synchronized int size() {
        return queue.size();
    }

    /** True when the oldest message failed and holds back every later acknowledgement. */
    synchronized boolean blocked() {
        Entry head = queue.peekFirst();
        return head != null && head.failed;
    }

    private void drain() {
        Entry head;
        while ((head = queue.peekFirst()) != null && !head.failed && head.remaining == 0) {
            queue.pollFirst();
            acker.accept(head.token);
        }
    }
}
