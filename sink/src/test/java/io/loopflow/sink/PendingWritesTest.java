package io.loopflow.sink;

import static io.loopflow.sink.RetryingWriterTest.lines;
import static io.loopflow.sink.RetryingWriterTest.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.influxdb.client.write.Point;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * What the sink may commit, driven without Kafka: records are "read" by adding their points and marking them
 * handled, a scripted server acknowledges or fails the writes ({@link RetryingWriter} as the sink uses it), and a
 * recording committer stands for the consumer group. An offset is committed only after every point before it was
 * acknowledged; nothing read is lost across an outage, a refused point or a failed last write.
 */
class PendingWritesTest {
    private static final TopicPartition FLOWS_0 = new TopicPartition("loopflow.flows", 0);
    private static final TopicPartition FLOWS_1 = new TopicPartition("loopflow.flows", 1);
    private static final TopicPartition KPIS_0 = new TopicPartition("loopflow.kpis", 0);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final PendingWrites pending = new PendingWrites();
    private final RecordingCommitter group = new RecordingCommitter(Set.of(FLOWS_0, FLOWS_1, KPIS_0));
    private boolean stopping;
    private final RetryingWriter.Host host = new RetryingWriter.Host() {
        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void waitBeforeRetry(Duration backoff) {
            clock.advance(backoff);
        }
    };

    @Test
    void shouldCommitOnlyAfterTheServerIsBackFromAnOutageAndLoseNothing() {
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.outage("connection refused"),
                ScriptedPointWriter.outage("HTTP 503"), ScriptedPointWriter.outage("connection refused"), ScriptedPointWriter.ACKNOWLEDGE);
        List<Map<TopicPartition, OffsetAndMetadata>> committedAtAttempt = new ArrayList<>();
        server.onAttempt(() -> committedAtAttempt.add(group.committed()));
        RetryingWriter writer = writer(server);
        List<Point> read = read(FLOWS_0, 0, 3);
        read.addAll(read(KPIS_0, 10, 2));

        boolean flushed = flush(writer, true);

        assertThat(flushed).isTrue();
        assertThat(committedAtAttempt).as("nothing committed while the server was down").hasSize(4).allSatisfy(c -> assertThat(c).isEmpty());
        assertThat(server.stored()).containsExactlyElementsOf(lines(read));
        assertThat(group.commits()).containsExactly(Map.of(FLOWS_0, new OffsetAndMetadata(3, "meta:loopflow.flows-0"),
                KPIS_0, new OffsetAndMetadata(12, "meta:loopflow.kpis-0")));
        assertThat(pending.isEmpty()).isTrue();
        assertThat(pending.committed(FLOWS_0)).hasValue(3);
    }

    @Test
    void shouldKeepAnUnwrittenBatchInFrontOfWhatWasReadSinceAndCommitPastItOnlyWhenItIsWritten() {
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.outage("connection reset"), ScriptedPointWriter.ACKNOWLEDGE);
        RetryingWriter writer = writer(server);
        List<Point> first = read(FLOWS_0, 0, 2);

        // One attempt, as before a rebalance or at close: it fails, so nothing is committed.
        assertThat(flush(writer, false)).isFalse();
        assertThat(group.commits()).isEmpty();
        assertThat(pending.toCommit(FLOWS_0)).hasValue(2);
        List<Point> later = read(FLOWS_0, 2, 2);
        assertThat(pending.size()).isEqualTo(4);

        assertThat(flush(writer, false)).isTrue();

        List<Point> all = new ArrayList<>(first);
        all.addAll(later);
        assertThat(server.attempts().get(1)).as("the failed batch first, then what was read after it").containsExactlyElementsOf(lines(all));
        assertThat(group.commits()).singleElement().satisfies(c -> assertThat(c.get(FLOWS_0).offset()).isEqualTo(4));
    }

    @Test
    void shouldCommitPastARefusedPointAfterCountingItAndWritingTheRest() {
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.refusing("site=poison"));
        RetryingWriter writer = writer(server);
        read(FLOWS_0, 0, 3);
        pending.add(point("poison", 3));
        pending.handled(FLOWS_0, 3);
        read(FLOWS_0, 4, 2);

        assertThat(flush(writer, true)).isTrue();

        assertThat(server.stored()).hasSize(5).noneMatch(l -> l.contains("poison"));
        assertThat(registry.counter("loopflow.sink.points.rejected").count()).isEqualTo(1);
        assertThat(group.commits()).singleElement().satisfies(c -> assertThat(c.get(FLOWS_0).offset()).isEqualTo(6));
    }

    @Test
    void shouldCommitNothingWhenStoppingDuringAnOutageAndKeepTheBatchForTheNextOwner() {
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.outage("connection refused"));
        server.onAttempt(() -> stopping = server.attempts().size() >= 2);
        RetryingWriter writer = writer(server);
        read(FLOWS_0, 0, 3);

        assertThat(flush(writer, true)).isFalse();

        assertThat(group.commits()).isEmpty();
        assertThat(pending.size()).isEqualTo(3);
        assertThat(pending.toCommit(FLOWS_0)).hasValue(3);
    }

    @Test
    void shouldKeepTheBatchWhenTheWriteThrows() {
        read(FLOWS_0, 0, 2);

        assertThatThrownBy(() -> pending.flush(this::metadata, List::of, points -> {
            throw new IllegalStateException("woken up");
        }, group)).hasMessage("woken up");

        assertThat(pending.size()).isEqualTo(2);
        assertThat(pending.toCommit(FLOWS_0)).hasValue(2);
        assertThat(group.commits()).isEmpty();
    }

    @Test
    void shouldNotCommitForAPartitionRevokedWhileItsBatchWasWritten() {
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.ACKNOWLEDGE);
        server.onAttempt(() -> group.assignment.remove(FLOWS_1));
        read(FLOWS_0, 0, 1);
        read(FLOWS_1, 0, 1);

        assertThat(flush(writer(server), true)).isTrue();

        assertThat(group.commits()).singleElement().satisfies(c -> assertThat(c).containsOnlyKeys(FLOWS_0));
    }

    @Test
    void shouldNotRecordAnOffsetAsCommittedWhenTheCommitFails() {
        group.failNextCommit = true;
        read(FLOWS_0, 0, 2);

        assertThat(flush(writer(new ScriptedPointWriter(ScriptedPointWriter.ACKNOWLEDGE)), true)).as("written").isTrue();

        assertThat(pending.committed(FLOWS_0)).isEmpty();
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void shouldWriteExtraPointsWithTheBatchAndTakeThemAfterTheMetadata() {
        List<String> order = new ArrayList<>();
        read(FLOWS_0, 0, 1);
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.ACKNOWLEDGE);

        pending.flush(tp -> {
            order.add("metadata");
            return "";
        }, () -> {
            order.add("extra");
            return List.of(point("ingest", 9));
        }, writer(server)::writeOnce, group);

        assertThat(order).containsExactly("metadata", "extra");
        assertThat(server.stored()).hasSize(2).last().asString().contains("site=ingest");
    }

    @Test
    void shouldCommitPastTransactionMarkersUpToAKnownPositionOnly() {
        read(FLOWS_0, 0, 3);      // next offset 3; a commit marker at 3, so the consumer's position is 4
        pending.assigned(KPIS_0, 7); // nothing read yet, committed 7, position 8 after a marker
        pending.handled(FLOWS_1, 0); // position unknown
        Map<TopicPartition, OptionalLong> positions = Map.of(FLOWS_0, OptionalLong.of(4), KPIS_0, OptionalLong.of(8),
                FLOWS_1, OptionalLong.empty());

        pending.advancePastMarkers(positions::get);

        assertThat(pending.toCommit(FLOWS_0)).hasValue(4);
        assertThat(pending.toCommit(KPIS_0)).hasValue(8);
        assertThat(pending.toCommit(FLOWS_1)).hasValue(1);
    }

    @Test
    void shouldForgetRevokedPartitions() {
        read(FLOWS_0, 0, 1);
        pending.assigned(FLOWS_1, 5);

        pending.forget(List.of(FLOWS_0, FLOWS_1));

        assertThat(pending.toCommit(FLOWS_0)).isEmpty();
        assertThat(pending.committed(FLOWS_1)).isEmpty();
        assertThat(pending.size()).as("points read stay: they are written before anything later is committed").isEqualTo(1);
    }

    private RetryingWriter writer(PointWriter server) {
        return new RetryingWriter(server, Duration.ofSeconds(30), "http://influxdb:8086", registry, clock);
    }

    private boolean flush(RetryingWriter writer, boolean retry) {
        PendingWrites.BatchWrite write = retry ? points -> writer.writeWithRetry(points, host) : writer::writeOnce;
        return pending.flush(this::metadata, List::of, write, group);
    }

    private String metadata(TopicPartition tp) {
        return "meta:" + tp;
    }

    /** Reads {@code n} records of {@code tp} from {@code offset}, one point each; returns the points. */
    private List<Point> read(TopicPartition tp, long offset, int n) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Point p = point(tp.topic() + "-" + tp.partition(), (int) offset + i);
            pending.add(p);
            pending.handled(tp, offset + i);
            points.add(p);
        }
        return points;
    }

    /** Records commits, as the consumer group would keep them. */
    private static final class RecordingCommitter implements PendingWrites.OffsetCommitter {
        final Set<TopicPartition> assignment;
        private final List<Map<TopicPartition, OffsetAndMetadata>> commits = new ArrayList<>();
        boolean failNextCommit;

        RecordingCommitter(Set<TopicPartition> assignment) {
            this.assignment = new HashSet<>(assignment);
        }

        @Override
        public Set<TopicPartition> assignment() {
            return assignment;
        }

        @Override
        public boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (failNextCommit) {
                failNextCommit = false;
                return false;
            }
            commits.add(Map.copyOf(offsets));
            return true;
        }

        List<Map<TopicPartition, OffsetAndMetadata>> commits() {
            return commits;
        }

        /** Everything committed so far, latest offset per partition. */
        Map<TopicPartition, OffsetAndMetadata> committed() {
            Map<TopicPartition, OffsetAndMetadata> all = new HashMap<>();
            commits.forEach(all::putAll);
            return all;
        }
    }
}
