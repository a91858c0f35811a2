package io.loopflow.sink;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The sink's write policy against a scripted server and a clock that moves only with the backoffs: an outage is
 * retried until the server is back, a point the server refuses is skipped, counted and logged (never retried for
 * ever), and a server that keeps timing out makes the sink report itself stalled after {@code max-retry-time}.
 */
class RetryingWriterTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Duration MAX_RETRY_TIME = Duration.ofSeconds(30);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeClock clock = new FakeClock(T0);
    private final List<Duration> waits = new ArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RetryingWriter.class);
    private boolean stopping;

    /** The sink while it retries: waiting moves the clock by the backoff. */
    private final RetryingWriter.Host host = new RetryingWriter.Host() {
        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void waitBeforeRetry(Duration backoff) {
            waits.add(backoff);
            clock.advance(backoff);
        }
    };

    @BeforeEach
    void captureLog() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(log);
    }

    @Test
    void shouldRetryAnOutageWithGrowingBackoffUntilTheServerIsBackAndLoseNothing() {
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.outage("connection refused"),
                ScriptedPointWriter.outage("connection refused"), ScriptedPointWriter.outage("connection refused"),
                ScriptedPointWriter.ACKNOWLEDGE);
        RetryingWriter writer = writer(server);
        List<Point> batch = points(5);

        boolean written = writer.writeWithRetry(batch, host);

        assertThat(written).isTrue();
        assertThat(server.attempts()).hasSize(4).allSatisfy(a -> assertThat(a).isEqualTo(lines(batch)));
        assertThat(server.stored()).isEqualTo(lines(batch));
        assertThat(waits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(registry.counter("loopflow.sink.write.failures").count()).isEqualTo(3);
        assertThat(writer.pointsWritten()).isEqualTo(5);
        assertThat(writer.stalled()).as("1.4 s of failures is below max-retry-time").isFalse();
        assertThat(messages(Level.WARN)).hasSize(3).allSatisfy(m -> assertThat(m).contains("retrying in", "connection refused"));
    }

    @Test
    void shouldSkipCountAndLogAPointTheServerRefusesAndWriteTheRestWithoutRetrying() {
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.refusing("site=poison"));
        RetryingWriter writer = writer(server);
        List<Point> batch = points(8);
        batch.set(5, point("poison", 5));

        boolean written = writer.writeWithRetry(batch, host);

        assertThat(written).isTrue();
        List<String> good = lines(batch).stream().filter(l -> !l.contains("site=poison")).toList();
        assertThat(server.stored()).containsExactlyInAnyOrderElementsOf(good).hasSize(7);
        assertThat(registry.counter("loopflow.sink.points.rejected").count()).isEqualTo(1);
        assertThat(writer.pointsWritten()).isEqualTo(7);
        assertThat(waits).as("a refused point is not an outage: no backoff, no endless retry").isEmpty();
        assertThat(registry.counter("loopflow.sink.write.failures").count()).isZero();
        // Halving 8 points finds the refused one in log2(8) = 3 steps: 1 + 2 + 2 + 2 requests.
        assertThat(server.attempts()).hasSize(7);
        assertThat(messages(Level.ERROR)).singleElement().asString()
                .contains("InfluxDB refused point, skipped", lines(batch).get(5), "HTTP 400", "field type conflict");
    }

    @Test
    void shouldReportAStallOnceAfterMaxRetryTimeOfASlowServerAndClearItWhenWritesSucceedAgain() {
        // A server so slow that every request times out after 10 s (the client's read timeout), for two minutes.
        Instant back = T0.plus(Duration.ofMinutes(2));
        List<Boolean> stalledAtAttempt = new ArrayList<>();
        ScriptedPointWriter server = new ScriptedPointWriter(points -> {
            clock.advance(Duration.ofSeconds(10));
            if (clock.instant().isBefore(back)) {
                throw new PointWriter.WriteException("InfluxDB write failed: java.net.SocketTimeoutException: timeout", true, null);
            }
        });
        RetryingWriter writer = writer(server);
        server.onAttempt(() -> stalledAtAttempt.add(writer.stalled()));

        boolean written = writer.writeWithRetry(points(3), host);

        assertThat(written).isTrue();
        assertThat(writer.stalled()).isFalse();
        assertThat(registry.get("loopflow.sink.stalled").gauge().value()).isZero();
        // Attempts end at 10.0, 20.2, 30.6 s: the third is the first past 30 s of failures; stalled from the fourth.
        assertThat(stalledAtAttempt.subList(0, 3)).containsOnly(false);
        assertThat(stalledAtAttempt.subList(3, stalledAtAttempt.size())).isNotEmpty().containsOnly(true);
        assertThat(messages(Level.ERROR)).as("one error when the stall begins, not one per attempt").singleElement().asString()
                .contains("has refused writes for", "sink.max-retry-time PT30S", "SocketTimeoutException");
        assertThat(messages(Level.INFO)).singleElement().asString().contains("accepts writes again");
        // The backoff doubles up to 10 s (min of 10 s and max-retry-time) and stays there.
        assertThat(waits).startsWith(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600),
                Duration.ofMillis(3200), Duration.ofMillis(6400), Duration.ofSeconds(10));
        assertThat(waits.subList(6, waits.size())).containsOnly(Duration.ofSeconds(10));
        assertThat(server.stored()).hasSize(3);
    }

    @Test
    void shouldShowTheStallOnItsGaugeWhileItLasts() {
        List<Double> gauge = new ArrayList<>();
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.outage("HTTP 503"));
        RetryingWriter writer = writer(server);
        server.onAttempt(() -> {
            gauge.add(registry.get("loopflow.sink.stalled").gauge().value());
            if (gauge.size() == 12) {
                stopping = true; // the sink is closed while the server is still down
            }
        });

        boolean written = writer.writeWithRetry(points(2), host);

        assertThat(written).as("given up only because the sink stops").isFalse();
        assertThat(gauge).contains(0.0, 1.0).endsWith(1.0);
        assertThat(writer.stalled()).isTrue();
        assertThat(server.stored()).isEmpty();
        assertThat(messages(Level.WARN)).last().asString().contains("last write before stopping failed", "will be read again");
    }

    @Test
    void shouldMakeOneAttemptOnlyWhenAskedForOne() {
        ScriptedPointWriter server = new ScriptedPointWriter(ScriptedPointWriter.outage("connection reset"), ScriptedPointWriter.ACKNOWLEDGE);
        RetryingWriter writer = writer(server);

        assertThat(writer.writeOnce(points(2))).isFalse();
        assertThat(writer.writeOnce(points(2))).isTrue();

        assertThat(waits).isEmpty();
        assertThat(server.attempts()).hasSize(2);
        assertThat(registry.counter("loopflow.sink.write.failures").count()).isEqualTo(1);
    }

    private RetryingWriter writer(PointWriter server) {
        return new RetryingWriter(server, MAX_RETRY_TIME, "http://influxdb:8086", registry, clock);
    }

    private List<String> messages(Level level) {
        return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    static List<Point> points(int n) {
        return new ArrayList<>(IntStream.range(0, n).mapToObj(i -> point("asnaes", i)).toList());
    }

    static Point point(String site, int i) {
        return Point.measurement("loopflow_flow").addTag("site", site).addField("quantity", (double) i)
                .time(T0.plusSeconds(60L * i).toEpochMilli(), WritePrecision.MS);
    }

    static List<String> lines(List<Point> points) {
        return points.stream().map(Point::toLineProtocol).toList();
    }
}
