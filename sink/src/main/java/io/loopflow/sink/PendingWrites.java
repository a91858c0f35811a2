package io.loopflow.sink;

import com.influxdb.client.write.Point;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The points of the Kafka records the sink has read and InfluxDB has not acknowledged yet, and what may be committed:
 * an offset is committed only after every point of the records before it was written ({@link #flush}). A batch that
 * was not written goes back in front of what was read since, with its offsets, so no later commit passes over it.
 *
 * <p>Per assigned partition it keeps the next offset to commit (the last record handled + 1), the offset committed
 * or found committed, and whether the consumer's position is known; {@link #advancePastMarkers} moves the offset to
 * commit over transaction markers. Used by the sink's thread only.
 */
final class PendingWrites {

    /** Writes one batch; false when it was not acknowledged (then nothing is committed). */
    @FunctionalInterface
    interface BatchWrite {
        boolean write(List<Point> points);
    }

    /** Where offsets go once their points are written: the Kafka consumer's group, in the sink. */
    interface OffsetCommitter {
        /** The partitions this member owns now: offsets of any other are not committed. */
        Set<TopicPartition> assignment();

        /** Commits {@code offsets}; false when the commit failed (the records will be read again and written again). */
        boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets);
    }

    private final List<Point> points = new ArrayList<>();
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    /** Offsets this member committed or found committed, per assigned partition. */
    private final Map<TopicPartition, Long> committedOffsets = new HashMap<>();
    /** Assigned partitions whose position is known: records were read, or an offset was committed. */
    private final Set<TopicPartition> positioned = new HashSet<>();

    /** A point of a record read but not yet handled past ({@link #handled}). */
    void add(Point point) {
        points.add(point);
    }

    /** The record at {@code offset} of {@code partition} is handled: its points, if any, were {@linkplain #add added}. */
    void handled(TopicPartition partition, long offset) {
        nextOffsets.put(partition, offset + 1);
        positioned.add(partition);
    }

    /** {@code partition} was assigned with {@code committed} as its committed offset. */
    void assigned(TopicPartition partition, long committed) {
        committedOffsets.put(partition, committed);
        positioned.add(partition); // the next poll starts there: a marker right after it is committed past
    }

    /** {@code partitions} were revoked or lost: nothing of theirs is committed by this member any more. */
    void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            nextOffsets.remove(tp);
            committedOffsets.remove(tp);
            positioned.remove(tp);
        }
    }

    /** Points waiting to be written. */
    int size() {
        return points.size();
    }

    /** True when there is neither a point to write nor an offset to commit. */
    boolean isEmpty() {
        return points.isEmpty() && nextOffsets.isEmpty();
    }

    /** The offset that will be committed for {@code partition} at the next flush, if any. */
    OptionalLong toCommit(TopicPartition partition) {
        Long next = nextOffsets.get(partition);
        return next == null ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** The offset committed, or found committed, for {@code partition}, if any. */
    OptionalLong committed(TopicPartition partition) {
        Long c = committedOffsets.get(partition);
        return c == null ? OptionalLong.empty() : OptionalLong.of(c);
    }

    /**
     * Moves the offsets to commit up to the consumer's {@code position} where only transaction markers (or aborted
     * records) lie between the last record read and the position: committing the last record's offset + 1 would leave
     * a lag of 1 on every topic written in transactions (loopflow.flows, loopflow.kpis, ...) once it goes quiet.
     * Every record before the position has been handled, so nothing unwritten is committed. {@code position} is
     * empty where it is not known yet (a later flush commits past those markers).
     */
    void advancePastMarkers(Function<TopicPartition, OptionalLong> position) {
        for (TopicPartition tp : positioned) {
            OptionalLong p = position.apply(tp);
            if (p.isEmpty()) {
                continue;
            }
            long handled = Math.max(nextOffsets.getOrDefault(tp, -1L), committedOffsets.getOrDefault(tp, -1L));
            if (handled >= 0 && p.getAsLong() > handled) {
                nextOffsets.put(tp, p.getAsLong());
            }
        }
    }

    /**
     * Writes everything read so far, plus {@code extra} points (taken after the offsets' {@code metadata}, which may
     * change what they are), and then commits the offsets after it; returns false if the write did not happen, and
     * then nothing is committed and the batch stays in front for the next flush. An exception of {@code write} leaves
     * the batch in front too.
     */
    boolean flush(Function<TopicPartition, String> metadata, Supplier<List<Point>> extra, BatchWrite write, OffsetCommitter committer) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        nextOffsets.forEach((tp, next) -> offsets.put(tp, new OffsetAndMetadata(next, metadata.apply(tp))));
        nextOffsets.clear();
        List<Point> batch = new ArrayList<>(points);
        points.clear();
        batch.addAll(extra.get());
        boolean written;
        try {
            written = batch.isEmpty() || write.write(batch);
        } catch (RuntimeException e) {
            putBack(batch, offsets); // e.g. woken up by close() while retrying
            throw e;
        }
        if (!written) {
            putBack(batch, offsets);
            return false;
        }
        offsets.keySet().retainAll(committer.assignment());
        if (!offsets.isEmpty() && committer.commit(offsets)) {
            offsets.forEach((tp, offset) -> committedOffsets.put(tp, offset.offset()));
        }
        return true;
    }

    /** Puts an unwritten batch back in front of what was read since, so no later commit can pass over it. */
    private void putBack(List<Point> batch, Map<TopicPartition, OffsetAndMetadata> offsets) {
        points.addAll(0, batch);
        offsets.forEach((tp, offset) -> nextOffsets.putIfAbsent(tp, offset.offset()));
    }
}
