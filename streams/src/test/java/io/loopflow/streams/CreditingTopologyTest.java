package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each reading contributes (CONTRACT.md section 3) and unit conversion (section 4), through the topology. */
class CreditingTopologyTest {
    private static final Instant H8 = Instant.parse("2026-11-22T08:00:00Z");

    @TempDir
    Path stateDir;
    private TopologyFixture f;

    @BeforeEach
    void startDriver() {
        f = new TopologyFixture(stateDir);
    }

    @AfterEach
    void closeDriver() {
        f.close();
    }

    private static Instant at(int minute, int second) {
        return H8.plusSeconds(minute * 60L + second);
    }

    /** Lets every meter go idle so that every window closes. */
    private void closeEverything() {
        f.advance(Duration.ofMinutes(16));
    }

    private Map<Instant, Double> finalFlowsOf(String site) {
        Map<Instant, Double> out = new TreeMap<>();
        f.finalFlows().stream().filter(r -> r.site().equals(site)).forEach(r -> out.put(r.windowStart(), r.quantity()));
        return out;
    }

    private KpiRecord finalHourOf(String site) {
        return f.finalKpis(KpiRecord.SITE).stream().filter(k -> k.site().equals(site) && k.window().equals("PT1H"))
                .findFirst().orElseThrow();
    }

    @Test
    void shouldCreditCounterReadingsArrivingOutOfOrderAsInOrder() {
        f.meter("inorder", "c", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");
        f.meter("shuffled", "c", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");
        int[] seconds = {0, 30, 60, 90, 120, 150, 180};
        double[] values = {10, 12, 20, 24, 30, 31, 40};
        for (int i = 0; i < seconds.length; i++) {
            f.reading("inorder", "c", at(0, seconds[i]), values[i]);
        }
        int[] order = {2, 0, 1, 4, 6, 3, 5};
        for (int i : order) {
            f.reading("shuffled", "c", at(0, seconds[i]), values[i]);
        }
        closeEverything();

        assertThat(f.rejectionLog).isEmpty();
        assertThat(finalFlowsOf("shuffled")).isEqualTo(finalFlowsOf("inorder"))
                .containsExactly(Map.entry(at(0, 0), 2.0), Map.entry(at(1, 0), 12.0), Map.entry(at(2, 0), 7.0), Map.entry(at(3, 0), 9.0));
        assertThat(finalHourOf("shuffled").sums()).isEqualTo(finalHourOf("inorder").sums());
        assertThat(finalHourOf("inorder").sums().outReuse()).isEqualTo(30.0);
    }

    @Test
    void shouldCreditRateReadingsArrivingOutOfOrderAsInOrder() {
        f.meter("inorder", "r", "gypsum", Role.OUT_DISPOSAL, MeterKind.RATE, "t/h");
        f.meter("shuffled", "r", "gypsum", Role.OUT_DISPOSAL, MeterKind.RATE, "t/h");
        // 3 min 45 s apart = 1/16 h, so every credit is exact in binary
        Instant[] ts = {at(0, 0), at(3, 45), at(7, 30), at(11, 15), at(15, 0)};
        double[] values = {8, 8, 16, 16, 8};
        for (int i = 0; i < ts.length; i++) {
            f.reading("inorder", "r", ts[i], values[i]);
        }
        for (int i : new int[] {1, 0, 3, 2, 4}) {
            f.reading("shuffled", "r", ts[i], values[i]);
        }
        closeEverything();

        assertThat(f.rejectionLog).isEmpty();
        assertThat(finalFlowsOf("shuffled")).isEqualTo(finalFlowsOf("inorder"))
                .containsExactly(Map.entry(at(0, 0), 0.0), Map.entry(at(3, 0), 0.5), Map.entry(at(7, 0), 0.75),
                        Map.entry(at(11, 0), 1.0), Map.entry(at(15, 0), 0.75));
        assertThat(finalHourOf("shuffled").sums().outDisposal()).isEqualTo(3.0);
    }

    @Test
    void shouldCreditACounterResetWithItsNewValue() {
        f.meter("s1", "c", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");
        f.reading("s1", "c", at(0, 0), 100).reading("s1", "c", at(1, 0), 110).reading("s1", "c", at(2, 0), 5).reading("s1", "c", at(3, 0), 8);
        closeEverything();

        assertThat(finalFlowsOf("s1")).containsExactly(Map.entry(at(0, 0), 0.0), Map.entry(at(1, 0), 10.0), Map.entry(at(2, 0), 5.0),
                Map.entry(at(3, 0), 3.0));
    }

    @Test
    void shouldCreditTheFirstReadingOfACounterZeroButCountIt() {
        f.meter("s1", "c", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");
        f.reading("s1", "c", at(0, 0), 12345);
        closeEverything();

        assertThat(f.finalFlows()).singleElement().satisfies(r -> {
            assertThat(r.quantity()).isZero();
            assertThat(r.readings()).isEqualTo(1);
        });
    }

    @Test
    void shouldCreditZeroAndReportAGapWhenRateReadingsAreFurtherApartThanGapMax() {
        f.meter("s1", "r", "gypsum", Role.OUT_REUSE, MeterKind.RATE, "t/h");
        f.reading("s1", "r", at(0, 0), 12).reading("s1", "r", at(16, 0), 12).reading("s1", "r", at(31, 0), 12);
        closeEverything();

        assertThat(finalFlowsOf("s1")).containsExactly(Map.entry(at(0, 0), 0.0), Map.entry(at(16, 0), 0.0), Map.entry(at(31, 0), 3.0));
        assertThat(f.registry.counter("loopflow.streams.rate.gaps").count()).isEqualTo(1.0);
    }

    @Test
    void shouldConvertKilogramsToTonnes() {
        f.meter("s1", "kg", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "kg");
        f.reading("s1", "kg", at(0, 0), 2500).reading("s1", "kg", at(0, 10), 1.5, null, "t");
        closeEverything();

        assertThat(f.finalFlows()).singleElement().satisfies(r -> {
            assertThat(r.quantity()).isCloseTo(4.0, within(1e-9));
            assertThat(r.unit()).isEqualTo("t");
        });
    }

    @Test
    void shouldIntegrateKilowattsIntoMegawattHours() {
        f.meter("s1", "heat", "steam", Role.OUT_REUSE, MeterKind.RATE, "kW");
        f.reading("s1", "heat", at(0, 0), 1000).reading("s1", "heat", at(15, 0), 3000);
        closeEverything();

        FlowRecord last = f.finalFlows().stream().filter(r -> r.windowStart().equals(at(15, 0))).findFirst().orElseThrow();
        assertThat(last.quantity()).isCloseTo(0.5, within(1e-9));
        assertThat(last.unit()).isEqualTo("MWh");
        assertThat(finalHourOf("s1").unit()).isEqualTo("MWh");
    }

    @Test
    void shouldConvertLitresToCubicMetres() {
        f.meter("s1", "water", "water", Role.IN_SECONDARY, MeterKind.COUNTER, "L");
        f.reading("s1", "water", at(0, 0), 1000).reading("s1", "water", at(0, 30), 2500).reading("s1", "water", at(0, 40), 3, null, "m3");
        closeEverything();

        assertThat(f.finalFlows()).singleElement().satisfies(r -> {
            assertThat(r.quantity()).isCloseTo(2.0, within(1e-9));
            assertThat(r.unit()).isEqualTo("m3");
        });
    }

    @Test
    void shouldStartAFreshHistoryWhenAMeterIsReDescribedWithAnotherRole() {
        f.meter("s1", "c", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");
        f.reading("s1", "c", at(0, 0), 100).reading("s1", "c", at(1, 0), 110);
        f.meter("s1", "c", "gypsum", Role.OUT_RECOVERY, MeterKind.COUNTER, "t");

        f.reading("s1", "c", at(2, 0), 130).reading("s1", "c", at(3, 0), 131);
        closeEverything();

        assertThat(finalHourOf("s1").sums().outReuse()).isEqualTo(10.0);
        assertThat(finalHourOf("s1").sums().outRecovery()).isEqualTo(1.0);
    }

    @Test
    void shouldKeepTheHistoryWhenOnlyTheRecipientOfAMeterChanges() {
        f.meter("s1", "c", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");
        f.reading("s1", "c", at(0, 0), 100).reading("s1", "c", at(1, 0), 110);
        f.advance(Duration.ofMinutes(1));
        f.meter("s1", "c", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");

        f.reading("s1", "c", at(2, 0), 130);
        closeEverything();

        assertThat(finalHourOf("s1").sums().outReuse()).isEqualTo(30.0);
    }

    @Test
    void shouldRejectAReadingWithoutAValidSiteAsAnInvalidField() {
        f.reading("Bad Site", "c", at(0, 0), 1);

        assertThat(f.rejectionLog).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(io.loopflow.core.RejectReason.INVALID_FIELD);
            assertThat(r.mqttTopic()).isEqualTo("loopflow.readings");
        });
    }

    @Test
    void shouldKeepTheLatestLevelOfAStockMeterFeedNoWindowAndSendEachNewLatestLevelToTheSurplusApplication() {
        var levels = f.driver.createOutputTopic(io.loopflow.core.Topics.STOCK_LEVELS,
                org.apache.kafka.common.serialization.Serdes.String().deserializer(), io.loopflow.streams.site.StockLevel.SERDE.deserializer());
        f.meter("s1", "silo", "gypsum", Role.STOCK, MeterKind.LEVEL, "kg");
        f.reading("s1", "silo", at(10, 0), 40_000).reading("s1", "silo", at(5, 0), 10_000).reading("s1", "silo", at(12, 0), 42_000);
        // the same level again (a retained message replayed): a duplicate, rejected and not sent again
        f.reading("s1", "silo", at(12, 0), 42_000);
        closeEverything();

        assertThat(levels.readKeyValuesToList()).as("in t, the older level of 05:00 not sent: it is not the stock")
                .extracting(kv -> kv.key, kv -> kv.value.ts(), kv -> kv.value.value(), kv -> kv.value.unit(), kv -> kv.value.material())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("s1/silo", at(10, 0).toEpochMilli(), 40.0, "t", "gypsum"),
                        org.assertj.core.groups.Tuple.tuple("s1/silo", at(12, 0).toEpochMilli(), 42.0, "t", "gypsum"));
        assertThat(f.rejectionLog).extracting(io.loopflow.core.model.Rejection::reason).containsExactly(io.loopflow.core.RejectReason.DUPLICATE);
        f.rejectionLog.clear();

        assertThat(f.flowLog).isEmpty();
        assertThat(f.kpiLog).isEmpty();
        assertThat(f.rejectionLog).isEmpty();
        byte[] stored = f.driver.<org.apache.kafka.common.utils.Bytes, byte[]>getKeyValueStore(StoreNames.STOCK_LEVELS)
                .get(io.loopflow.streams.site.SiteStores.key2("s1", "silo"));
        var level = io.loopflow.streams.site.SiteStores.decodeStock(stored);
        assertThat(level.ts()).isEqualTo(at(12, 0).toEpochMilli());
        assertThat(level.value()).isCloseTo(42.0, within(1e-9));
        assertThat(level.unit()).isEqualTo("t");
    }
}
