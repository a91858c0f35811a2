package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.RejectReason;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: for random readings of several meters of every crediting kind, any arrival order that
 * makes no reading {@code late} gives the same final figures as timestamp order (to 1e-9 relative),
 * and every duplicate is rejected exactly once without changing a figure (CONTRACT.md sections 3 and 6).
 *
 * <p>Random cases from fixed seeds (a failure names its seed, and reruns the same). Each case publishes the same readings to two fresh sites of one {@link TopologyTestDriver}: in
 * timestamp order to one, shuffled and with duplicates mixed in to the other. All readings of a try
 * lie within 4 minutes of event time, less than the 5-minute grace, so no window can close while
 * they arrive, whatever the order; then the wall clock passes the idle timeout and every window closes.
 */
class ArrivalOrderTest {
    private static final Instant T = TopologyFixture.T0.minus(Duration.ofHours(2));
    private static final long SPAN_MS = Duration.ofMinutes(4).toMillis();
    private static final Role[] FLOW_ROLES = {Role.IN_VIRGIN, Role.IN_SECONDARY, Role.OUT_PRODUCT, Role.OUT_REUSE, Role.OUT_RECOVERY,
            Role.OUT_DISPOSAL, Role.OUT_STORAGE};
    private static final MeterKind[] KINDS = {MeterKind.QUANTITY, MeterKind.COUNTER, MeterKind.RATE};

    private static final int CASES = 60;
    private static final long FIRST_SEED = 20261130L;

    private static TopologyFixture f;
    private static int tries;

    @BeforeAll
    static void startDriver(@TempDir Path stateDir) {
        f = new TopologyFixture(stateDir);
    }

    @AfterAll
    static void closeDriver() {
        f.close();
    }

    /** One meter's readings: its kind and role, and its readings as (ts offset ms, value), distinct offsets. */
    record MeterPlan(MeterKind kind, Role role, List<double[]> readings) {
    }

    /**
     * 1 to 4 meters of random kinds and roles, each with 1 to 80 readings at distinct seconds of a 4-minute span: more
     * than a chunk of held readings ({@code SiteStores.CHUNK}, 32), so that chunks fill, split and are pruned.
     */
    static List<MeterPlan> randomMeters(Random random) {
        int meters = 1 + random.nextInt(4);
        List<MeterPlan> plans = new ArrayList<>();
        for (int m = 0; m < meters; m++) {
            TreeSet<Long> seconds = new TreeSet<>();
            int n = 1 + random.nextInt(80);
            while (seconds.size() < n) {
                seconds.add((long) random.nextInt((int) (SPAN_MS / 1000) + 1));
            }
            List<double[]> readings = new ArrayList<>();
            for (long s : seconds) {
                readings.add(new double[] {s * 1000, Math.round(random.nextDouble() * 1_000_000) / 1000.0});
            }
            plans.add(new MeterPlan(KINDS[random.nextInt(KINDS.length)], FLOW_ROLES[random.nextInt(FLOW_ROLES.length)], readings));
        }
        return plans;
    }

    @TestFactory
    Stream<DynamicTest> anyOrderThatIsNotLateGivesTheFiguresOfTimestampOrder() {
        return LongStream.range(FIRST_SEED, FIRST_SEED + CASES)
                .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> check(seed)));
    }

    private static void check(long seed) {
        Random random = new Random(seed);
        List<MeterPlan> plans = randomMeters(random);
        int n = ++tries;
        String ordered = "ordered-" + n;
        String shuffled = "shuffled-" + n;
        int rejectedBefore = f.rejectionLog.size();
        record Sent(String meter, long ts, double value, long seq) {
        }
        List<Sent> readings = new ArrayList<>();
        for (int m = 0; m < plans.size(); m++) {
            MeterPlan p = plans.get(m);
            String unit = p.kind() == MeterKind.RATE ? "t/h" : "t";
            f.meter(ordered, "m" + m, "gypsum", p.role(), p.kind(), unit);
            f.meter(shuffled, "m" + m, "gypsum", p.role(), p.kind(), unit);
            long seq = 0;
            for (double[] r : p.readings()) {
                readings.add(new Sent("m" + m, (long) r[0], r[1], seq++));
            }
        }
        List<Sent> inTsOrder = new ArrayList<>(readings);
        inTsOrder.sort((a, b) -> Long.compare(a.ts(), b.ts()));
        for (Sent r : inTsOrder) {
            f.reading(ordered, r.meter(), T.plusMillis(r.ts()), r.value(), r.seq(), null);
        }
        List<Sent> arrivals = new ArrayList<>(readings);
        Collections.shuffle(arrivals, random);
        int duplicates = random.nextInt(Math.min(5, readings.size()) + 1);
        for (int d = 0; d < duplicates; d++) {
            arrivals.add(random.nextInt(arrivals.size() + 1), readings.get(random.nextInt(readings.size())));
        }
        for (Sent r : arrivals) {
            f.reading(shuffled, r.meter(), T.plusMillis(r.ts()), r.value(), r.seq(), null);
        }
        // Past the idle timeout in one punctuation: every meter idle, every window (all ended) closes.
        f.jump(Duration.ofMinutes(16));

        List<Rejection> rejected = f.rejectionLog.subList(rejectedBefore, f.rejectionLog.size());
        assertThat(rejected).allSatisfy(r -> {
            assertThat(r.site()).isEqualTo(shuffled);
            assertThat(r.reason()).isEqualTo(RejectReason.DUPLICATE);
        });
        assertThat(rejected).hasSize(duplicates);
        assertSameFigures(flows(ordered), flows(shuffled));
        assertSameSums(kpis(ordered), kpis(shuffled));
    }

    private static Map<String, FlowRecord> flows(String site) {
        Map<String, FlowRecord> out = new TreeMap<>();
        f.finalFlows().stream().filter(r -> r.site().equals(site))
                .forEach(r -> out.put(r.role().wire() + "/" + r.windowStart(), r));
        return out;
    }

    private static Map<String, KpiRecord> kpis(String site) {
        Map<String, KpiRecord> out = new TreeMap<>();
        f.finalKpis(KpiRecord.SITE).stream().filter(r -> r.site().equals(site) && r.window().equals("PT1H"))
                .forEach(r -> out.put(r.window() + "/" + r.windowStart(), r));
        return out;
    }

    private static void assertSameFigures(Map<String, FlowRecord> expected, Map<String, FlowRecord> actual) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet()).isNotEmpty();
        expected.forEach((key, e) -> {
            FlowRecord a = actual.get(key);
            assertThat(a.readings()).as("readings of %s", key).isEqualTo(e.readings());
            assertClose(a.quantity(), e.quantity(), key);
        });
    }

    private static void assertSameSums(Map<String, KpiRecord> expected, Map<String, KpiRecord> actual) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet()).isNotEmpty();
        expected.forEach((key, e) -> {
            RoleSums a = actual.get(key).sums();
            for (Role role : FLOW_ROLES) {
                assertClose(a.get(role), e.sums().get(role), key + " " + role.wire());
            }
        });
    }

    private static void assertClose(double actual, double expected, String what) {
        double tolerance = 1e-9 * Math.max(1, Math.max(Math.abs(actual), Math.abs(expected)));
        assertThat(Math.abs(actual - expected)).as("%s: %s against %s", what, actual, expected).isLessThanOrEqualTo(tolerance);
    }
}
