package io.loopflow.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.client.write.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class IngestBucketsTest {
    private static final long T0 = 1_795_000_000_000L; // a multiple of 10 s
    private final PointMapper mapper = new PointMapper(() -> { });

    @Test
    void countsRecordsPerTenSecondBucketAndOutcome() {
        IngestBuckets buckets = new IngestBuckets(2);
        buckets.add(T0 + 1, IngestBuckets.ACCEPTED);
        buckets.add(T0 + 9_999, IngestBuckets.ACCEPTED);
        buckets.add(T0 + 5_000, "rejected/late");
        buckets.add(T0 + 10_000, IngestBuckets.ACCEPTED);

        assertThat(lines(buckets.drainPoints(mapper))).containsExactly(
                "loopflow_ingest,outcome=accepted,partition=2 readings=2i " + T0,
                "loopflow_ingest,outcome=rejected,partition=2,reason=late readings=1i " + T0,
                "loopflow_ingest,outcome=accepted,partition=2 readings=1i " + (T0 + 10_000));
        assertThat(buckets.drainPoints(mapper)).isEmpty();
    }

    @Test
    void replayFromCommittedMetadataGivesTheSameCountsAsOneRun() {
        long[] timestamps = {T0 + 100, T0 + 4_000, T0 + 12_000, T0 + 3_000, T0 + 25_000, T0 + 21_000, T0 + 38_000, T0 + 41_000};
        IngestBuckets oneRun = new IngestBuckets(0);
        for (long ts : timestamps) {
            oneRun.add(ts, IngestBuckets.ACCEPTED);
        }
        List<String> expected = lines(oneRun.drainPoints(mapper));

        IngestBuckets firstRun = new IngestBuckets(0);
        for (int i = 0; i < 5; i++) {
            firstRun.add(timestamps[i], IngestBuckets.ACCEPTED);
        }
        List<String> written = new ArrayList<>(lines(firstRun.drainPoints(mapper)));
        String committed = firstRun.metadata();
        IngestBuckets resumed = IngestBuckets.restore(0, committed);
        for (int i = 5; i < timestamps.length; i++) {
            resumed.add(timestamps[i], IngestBuckets.ACCEPTED);
        }
        written.addAll(lines(resumed.drainPoints(mapper)));

        assertThat(lastValuePerSeriesAndTime(written)).isEqualTo(lastValuePerSeriesAndTime(expected));
    }

    @Test
    void aRecordOlderThanEveryOpenBucketCountsInTheOldestOpenBucket() {
        IngestBuckets buckets = new IngestBuckets(0);
        buckets.add(T0, IngestBuckets.ACCEPTED);
        buckets.add(T0 + 20_000, IngestBuckets.ACCEPTED); // closes the T0 bucket
        buckets.drainPoints(mapper);

        buckets.add(T0 + 1_000, IngestBuckets.ACCEPTED);

        assertThat(lines(buckets.drainPoints(mapper))).containsExactly("loopflow_ingest,outcome=accepted,partition=0 readings=2i " + (T0 + 20_000));
    }

    @Test
    void foreignOrEmptyMetadataStartsAfresh() {
        assertThat(IngestBuckets.restore(0, "").openBuckets()).isZero();
        assertThat(IngestBuckets.restore(0, null).openBuckets()).isZero();
        assertThat(IngestBuckets.restore(0, "something else").openBuckets()).isZero();
    }

    private static List<String> lines(List<Point> points) {
        return points.stream().map(Point::toLineProtocol).toList();
    }

    private static Map<String, String> lastValuePerSeriesAndTime(List<String> lines) {
        Map<String, String> last = new TreeMap<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            last.put(parts[0] + " " + parts[2], parts[1]);
        }
        return last;
    }
}
