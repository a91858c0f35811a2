package io.loopflow.streams.surplus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.DemandDescriptor;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.core.units.Dimension;
import io.loopflow.core.units.Unit;
import io.loopflow.streams.site.StockLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SurplusTopologyTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    // Kalundborg (shared/REGIONS.md): Asnaes 55.66 N 11.09 E, Gyproc a few km away in town; Roskilde ~63 km east.
    private static final SiteDescriptor ASNAES = new SiteDescriptor("Asnaes", "kalundborg", 55.66, 11.09);
    private static final SiteDescriptor GYPROC = new SiteDescriptor("Gyproc", "kalundborg", 55.68, 11.15);
    private static final SiteDescriptor ROSKILDE = new SiteDescriptor("Roskilde Board", "zealand", 55.64, 12.08);

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private long wall;
    private final Map<String, MeterDescriptor> stockMeters = new HashMap<>();

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "surplus-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        wall = T0.toEpochMilli();
        driver = new TopologyTestDriver(SurplusTopology.build(new SurplusConfig(Duration.ofHours(24), 50, Duration.ofSeconds(1))),
                props, T0);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private <V> TestInputTopic<String, V> in(Topic<String, V> t) {
        return driver.createInputTopic(t.name(), t.keySerde().serializer(), t.valueSerde().serializer());
    }

    private <V> TestOutputTopic<String, V> out(Topic<String, V> t) {
        return driver.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
    }

    private void site(String id, SiteDescriptor d) {
        in(Topics.SITES).pipeInput(id, d, wall);
    }

    /** A stock meter's material and unit, as the flow application knows them from its descriptor. */
    private void stockMeter(String site, String meter, String material, String unit) {
        stockMeters.put(site + "/" + meter, new MeterDescriptor(material, Role.STOCK, MeterKind.LEVEL, unit, null));
    }

    /**
     * A level of a stock meter as the flow application sends it on {@code loopflow.internal.stock-levels}: in the
     * canonical unit (the flow application converts; {@code LoopflowTopologyTest} checks it does).
     */
    private void level(String site, String meter, Instant ts, double value) {
        MeterDescriptor d = stockMeters.get(site + "/" + meter);
        Unit unit = d.unitValue();
        StockLevel level = new StockLevel(site, meter, d.material(), ts.toEpochMilli(), unit.toCanonical(value),
                unit.dimension().canonicalUnit());
        driver.createInputTopic(Topics.STOCK_LEVELS, Serdes.String().serializer(), StockLevel.SERDE.serializer())
                .pipeInput(level.key(), level, wall);
    }

    private void storageWindow(String site, String material, Instant start, double quantity, boolean isFinal) {
        FlowRecord f = new FlowRecord(site, material, Role.OUT_STORAGE, start, start.plus(Duration.ofMinutes(1)), quantity, "t", 1, isFinal);
        in(Topics.FLOWS).pipeInput(f.key(), f, wall);
    }

    /** A final {@code out.storage} window of one minute published again by late data, with {@code revision}. */
    private void restatedStorageWindow(String site, String material, Instant start, double quantity, int revision) {
        FlowRecord f = new FlowRecord(site, material, Role.OUT_STORAGE, start, start.plus(Duration.ofMinutes(1)), quantity, "t", 2, true, revision);
        in(Topics.FLOWS).pipeInput(f.key(), f, wall);
    }

    private void demand(String site, String material, DemandDescriptor d) {
        in(Topics.DEMANDS).pipeInput(site + "/" + material, d, wall);
    }

    private void advanceWall(Duration d) {
        wall += d.toMillis();
        driver.advanceWallClockTime(d);
    }

    private List<AlertRecord> alerts() {
        return out(Topics.ALERTS).readValuesToList();
    }

    @Test
    void shouldNeverStampASurplusAheadOfTheWallClockSinceABrokerRefusesRecordsAnHourAhead() {
        in(Topics.MATERIALS).pipeInput("gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 100.0));
        site("asnaes", ASNAES);
        // A provisional two-hour flow window opened now (streams.flow-window PT2H): its end, the surplus's event time,
        // lies two hours ahead of the wall clock.
        Instant end = T0.plus(Duration.ofHours(2));
        FlowRecord open = new FlowRecord("asnaes", "gypsum", Role.OUT_STORAGE, T0, end, 30, "t", 1, false);
        in(Topics.FLOWS).pipeInput(open.key(), open, wall);
        advanceWall(Duration.ofMinutes(10));
        FlowRecord more = new FlowRecord("asnaes", "gypsum", Role.OUT_STORAGE, T0, end, 40, "t", 2, false);
        in(Topics.FLOWS).pipeInput(more.key(), more, wall);

        List<TestRecord<String, SurplusRecord>> out = out(Topics.SURPLUS).readRecordsToList();

        assertThat(out).extracting(r -> r.getValue().available()).containsExactly(30.0, 40.0);
        assertThat(out).extracting(r -> r.getValue().ts()).containsOnly(end);
        assertThat(out).extracting(TestRecord::timestamp).containsExactly(T0.toEpochMilli(), T0.plus(Duration.ofMinutes(10)).toEpochMilli());
    }

    @Test
    void shouldRaiseOnceAndClearOnceForALevelOscillatingAroundTheThreshold() {
        in(Topics.MATERIALS).pipeInput("gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 100.0));
        site("asnaes", ASNAES);
        stockMeter("asnaes", "pile", "gypsum", "t");
        double[] levels = {60, 99, 100, 104, 97, 101, 85, 81, 79.9, 90, 99.9, 70};
        for (int i = 0; i < levels.length; i++) {
            level("asnaes", "pile", T0.plus(Duration.ofMinutes(i)), levels[i]);
        }

        List<AlertRecord> alerts = alerts();

        assertThat(alerts).extracting(AlertRecord::type).containsExactly(AlertRecord.Type.SURPLUS_AVAILABLE, AlertRecord.Type.SURPLUS_CLEARED);
        assertThat(alerts.get(0).id()).isEqualTo("surplus.available/asnaes/gypsum/1");
        assertThat(alerts.get(0).available()).isEqualTo(100.0);
        assertThat(alerts.get(0).threshold()).isEqualTo(100.0);
        assertThat(alerts.get(0).ts()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
        assertThat(alerts.get(0).message()).isEqualTo("Asnaes has 100 t of FGD gypsum available (threshold 100 t)");
        assertThat(alerts.get(1).id()).isEqualTo("surplus.cleared/asnaes/gypsum/1");
        assertThat(alerts.get(1).available()).isEqualTo(79.9);
        List<SurplusRecord> surplus = out(Topics.SURPLUS).readValuesToList();
        assertThat(surplus).hasSize(levels.length);
        assertThat(surplus.get(surplus.size() - 1)).isEqualTo(new SurplusRecord("asnaes", "gypsum", 70, 0, "t",
                SurplusRecord.Source.STOCK, T0.plus(Duration.ofMinutes(11))));
    }

    @Test
    void shouldSumTheLatestLevelsOfAllStockMetersOfTheSite() {
        stockMeter("asnaes", "pile-a", "gypsum", "t");
        stockMeter("asnaes", "pile-b", "gypsum", "kg");
        level("asnaes", "pile-a", T0, 30);
        level("asnaes", "pile-b", T0, 15_000);
        level("asnaes", "pile-a", T0.minusSeconds(60), 999); // older than the latest: not the stock

        assertThat(out(Topics.SURPLUS).readValuesToList()).last()
                .satisfies(s -> assertThat(s.available()).isCloseTo(45, within(1e-9)));
        assertThat(alerts()).isEmpty();
    }

    @Test
    void shouldTakeStorageFlowsOfTheHorizonWithoutStockMetersAndTheirRatePerHour() {
        // 90 minutes of out.storage at 1 t/min, one provisional update that the final record overwrites.
        storageWindow("asnaes", "fly-ash", T0, 0.4, false);
        for (int i = 0; i < 90; i++) {
            storageWindow("asnaes", "fly-ash", T0.plus(Duration.ofMinutes(i)), 1, true);
        }

        List<SurplusRecord> all = out(Topics.SURPLUS).readValuesToList();
        SurplusRecord last = all.get(all.size() - 1);
        assertThat(last.source()).isEqualTo(SurplusRecord.Source.STORAGE);
        assertThat(last.available()).isCloseTo(90, within(1e-9));
        assertThat(last.rate()).as("t/h over the last hour").isCloseTo(60, within(1e-9));
        assertThat(last.ts()).isEqualTo(T0.plus(Duration.ofMinutes(90)));
        assertThat(alerts()).extracting(AlertRecord::id).containsExactly("surplus.available/asnaes/fly-ash/1");
    }

    @Test
    void shouldForgetStorageOlderThanTheHorizon() {
        storageWindow("asnaes", "fly-ash", T0, 40, true);
        storageWindow("asnaes", "fly-ash", T0.plus(Duration.ofHours(25)), 5, true);

        assertThat(out(Topics.SURPLUS).readValuesToList()).last().satisfies(s -> assertThat(s.available()).isEqualTo(5));
    }

    @Test
    void shouldReplaceTheEarlierContributionOfARestatedStorageWindowInsteadOfAddingIt() {
        // ten minutes of 1 t each, final (revision 0)
        for (int i = 0; i < 10; i++) {
            storageWindow("asnaes", "fly-ash", T0.plus(Duration.ofMinutes(i)), 1, true);
        }
        assertThat(out(Topics.SURPLUS).readValuesToList()).last().satisfies(s -> assertThat(s.available()).isEqualTo(10));

        // a weighbridge ticket of 3 t restates the window of T0+4m: 1 + 3 = 4 t, revision 1
        restatedStorageWindow("asnaes", "fly-ash", T0.plus(Duration.ofMinutes(4)), 4, 1);

        List<SurplusRecord> after = out(Topics.SURPLUS).readValuesToList();
        assertThat(after).as("one new figure for the restatement").singleElement().satisfies(s -> {
            assertThat(s.available()).as("9 windows of 1 t and the restated 4 t, not 10 + 4").isCloseTo(13, within(1e-9));
            assertThat(s.rate()).as("t/h: all ten windows lie in the last hour").isCloseTo(13, within(1e-9));
            assertThat(s.ts()).as("a restatement does not move the surplus clock").isEqualTo(T0.plus(Duration.ofMinutes(10)));
        });
        assertThat(alerts()).isEmpty();
    }

    @Test
    void shouldRaiseNoAlertWhenARestatementOlderThanTheHorizonWouldHaveCrossedTheThreshold() {
        // 30 t put into storage at T0 (below the default threshold of 50), then 5 t a day later
        storageWindow("asnaes", "fly-ash", T0, 30, true);
        storageWindow("asnaes", "fly-ash", T0.plus(Duration.ofHours(25)), 5, true);
        assertThat(out(Topics.SURPLUS).readValuesToList()).last().satisfies(s -> assertThat(s.available()).isEqualTo(5));

        // tickets typed in late restate the window of T0 to 60 t: above the threshold, but 25 h ago (horizon 24 h)
        restatedStorageWindow("asnaes", "fly-ash", T0, 60, 1);

        assertThat(alerts()).as("no alert for a surplus that existed only in the past").isEmpty();
        assertThat(out(Topics.SURPLUS).readValuesToList()).as("available is unchanged, so nothing is published").isEmpty();
        assertThat(driver.<String, SurplusState>getKeyValueStore(SurplusTopology.STATE_STORE).get("asnaes/fly-ash").storage())
                .as("the restated window is not kept").containsOnlyKeys(T0.plus(Duration.ofHours(25)));
    }

    /** The horizon of a restated window is measured from when it was published when the key has no newer storage. */
    @Test
    void shouldRaiseNoAlertForARestatementOlderThanTheHorizonOfASiteWithNoStorageSince() {
        // A site whose out.storage is known only from weighbridge tickets typed in days later: the first record of
        // its storage that the surplus application sees restates a window of three days ago (published now, at T0).
        restatedStorageWindow("kemira", "sulphur", T0.minus(Duration.ofDays(3)), 60, 1);
        // then 2 t put into storage now
        storageWindow("kemira", "sulphur", T0, 2, true);

        assertThat(alerts()).as("no alert for a surplus that existed only three days ago (horizon 24 h)").isEmpty();
        assertThat(out(Topics.SURPLUS).readValuesToList()).last().satisfies(s -> assertThat(s.available()).isEqualTo(2));
    }

    @Test
    void shouldUseTheConfiguredDefaultThresholdWithoutADescriptorAndApplyAChangedDescriptorWithoutARestart() {
        site("asnaes", ASNAES);
        stockMeter("asnaes", "pile", "gypsum", "t");
        level("asnaes", "pile", T0, 45);
        assertThat(alerts()).as("default threshold 50").isEmpty();

        in(Topics.MATERIALS).pipeInput("gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, null, 40.0));
        advanceWall(Duration.ofSeconds(1));

        assertThat(alerts()).extracting(AlertRecord::id, AlertRecord::threshold)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("surplus.available/asnaes/gypsum/1", 40.0));
    }

    @Test
    void shouldMatchADemandThatAppearsAfterTheSurplusAndCloseItWhenTheDemandIsDeleted() {
        in(Topics.MATERIALS).pipeInput("gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, null, 100.0));
        site("asnaes", ASNAES);
        site("gyproc", GYPROC);
        stockMeter("asnaes", "pile", "gypsum", "t");
        level("asnaes", "pile", T0, 120);
        assertThat(alerts()).extracting(AlertRecord::type).containsExactly(AlertRecord.Type.SURPLUS_AVAILABLE);

        demand("gyproc", "gypsum", new DemandDescriptor(40, 60));
        List<AlertRecord> matched = alerts();
        demand("gyproc", "gypsum", null);
        List<AlertRecord> closed = alerts();

        assertThat(matched).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo(AlertRecord.Type.MATCH);
            assertThat(a.id()).isEqualTo("match/asnaes/gypsum/gyproc/1");
            assertThat(a.site()).isEqualTo("asnaes");
            assertThat(a.counterpart()).isEqualTo("gyproc");
            assertThat(a.distanceKm()).isCloseTo(4.4, within(0.1));
            assertThat(a.message()).isEqualTo("Asnaes has 120 t of FGD gypsum available, 4.4 km from Gyproc, which wants 40 t");
        });
        assertThat(closed).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo(AlertRecord.Type.MATCH_CLOSED);
            assertThat(a.id()).isEqualTo("match.closed/asnaes/gypsum/gyproc/1");
            assertThat(a.message()).endsWith("because the demand was withdrawn");
        });
    }

    @Test
    void shouldCloseAMatchWhenTheSurplusClearsAndOpenANewEpisodeLater() {
        site("asnaes", ASNAES);
        site("gyproc", GYPROC);
        stockMeter("asnaes", "pile", "gypsum", "t");
        demand("gyproc", "gypsum", new DemandDescriptor(40, 60));
        level("asnaes", "pile", T0, 60);
        level("asnaes", "pile", T0.plusSeconds(60), 20);
        level("asnaes", "pile", T0.plusSeconds(120), 70);

        assertThat(alerts()).extracting(AlertRecord::id).containsExactly(
                "surplus.available/asnaes/gypsum/1", "match/asnaes/gypsum/gyproc/1",
                "surplus.cleared/asnaes/gypsum/1", "match.closed/asnaes/gypsum/gyproc/1",
                "surplus.available/asnaes/gypsum/2", "match/asnaes/gypsum/gyproc/2");
    }

    @Test
    void shouldCloseTheMatchWhenADemanderMovesOutOfRange() {
        site("asnaes", ASNAES);
        site("gyproc", GYPROC);
        stockMeter("asnaes", "pile", "gypsum", "t");
        demand("gyproc", "gypsum", new DemandDescriptor(40, 60));
        level("asnaes", "pile", T0, 120);
        alerts();

        site("gyproc", new SiteDescriptor("Gyproc", "kalundborg", 57.05, 9.92)); // moved to Aalborg, ~170 km
        advanceWall(Duration.ofSeconds(1));

        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.id()).isEqualTo("match.closed/asnaes/gypsum/gyproc/1");
            assertThat(a.message()).endsWith("because the demand is now out of reach");
        });
    }

    @Test
    void shouldGiveEachDemanderItsOwnMatchNearestFirst() {
        site("asnaes", ASNAES);
        site("gyproc", GYPROC);
        site("roskilde", ROSKILDE);
        stockMeter("asnaes", "pile", "gypsum", "t");
        demand("roskilde", "gypsum", new DemandDescriptor(40, 100));
        demand("gyproc", "gypsum", new DemandDescriptor(40, 60));
        in(Topics.MATERIALS).pipeInput("gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, null, 100.0));

        level("asnaes", "pile", T0, 120);

        List<AlertRecord> alerts = alerts();
        assertThat(alerts).extracting(AlertRecord::id).containsExactly("surplus.available/asnaes/gypsum/1",
                "match/asnaes/gypsum/gyproc/1", "match/asnaes/gypsum/roskilde/1");
        assertThat(alerts.get(1).distanceKm()).isLessThan(alerts.get(2).distanceKm());
        assertThat(alerts.get(2).distanceKm()).isCloseTo(63, within(2.0));
    }

    @Test
    void shouldReportASiteWithoutCoordinatesInsteadOfSkippingItSilently() {
        site("asnaes", ASNAES);
        site("gyproc", new SiteDescriptor("Gyproc", "kalundborg", null, null));
        stockMeter("asnaes", "pile", "gypsum", "t");
        level("asnaes", "pile", T0, 120);
        demand("gyproc", "gypsum", new DemandDescriptor(40, 60));
        level("asnaes", "pile", T0.plusSeconds(60), 121);

        assertThat(alerts()).extracting(AlertRecord::type).containsExactly(AlertRecord.Type.SURPLUS_AVAILABLE);
        List<DataQualityRecord> quality = out(Topics.DATA_QUALITY).readValuesToList();
        assertThat(quality).singleElement().satisfies(q -> {
            assertThat(q.site()).isEqualTo("gyproc");
            assertThat(q.issue()).isEqualTo(DataQualityRecord.NO_COORDINATES);
            assertThat(q.resolved()).isFalse();
            assertThat(q.detail()).contains("no lat/lon");
        });

        site("gyproc", GYPROC);
        advanceWall(Duration.ofSeconds(1));

        assertThat(alerts()).extracting(AlertRecord::id).containsExactly("match/asnaes/gypsum/gyproc/1");
        assertThat(out(Topics.DATA_QUALITY).readValuesToList()).singleElement().satisfies(q -> assertThat(q.resolved()).isTrue());
    }

    @Test
    void shouldUseCanonicalUnitsForEnergyAndVolumeMaterials() {
        in(Topics.MATERIALS).pipeInput("steam", new MaterialDescriptor("Process steam", Dimension.ENERGY, null, 10.0));
        in(Topics.MATERIALS).pipeInput("cooling-water", new MaterialDescriptor("Cooling water", Dimension.VOLUME, null, 100.0));
        stockMeter("asnaes", "accumulator", "steam", "kWh");
        stockMeter("asnaes", "pond", "cooling-water", "L");

        level("asnaes", "accumulator", T0, 12_500);
        level("asnaes", "pond", T0, 150_000);

        List<SurplusRecord> surplus = out(Topics.SURPLUS).readValuesToList();
        assertThat(surplus).extracting(SurplusRecord::material, SurplusRecord::available, SurplusRecord::unit).containsExactly(
                org.assertj.core.groups.Tuple.tuple("steam", 12.5, "MWh"),
                org.assertj.core.groups.Tuple.tuple("cooling-water", 150.0, "m3"));
        assertThat(alerts()).extracting(AlertRecord::message).containsExactly(
                "asnaes has 12.5 MWh of Process steam available (threshold 10 MWh)",
                "asnaes has 150 m3 of Cooling water available (threshold 100 m3)");
    }

    @Test
    void shouldServeTheLatestSurplusAndEveryAlertFromQueryableStores() {
        site("asnaes", ASNAES);
        stockMeter("asnaes", "pile", "gypsum", "t");
        level("asnaes", "pile", T0, 120);

        KeyValueStore<String, ValueAndTimestamp<SurplusRecord>> view = driver.getTimestampedKeyValueStore(SurplusTopology.SURPLUS_VIEW);
        KeyValueStore<String, ValueAndTimestamp<AlertRecord>> log = driver.getTimestampedKeyValueStore(SurplusTopology.ALERT_LOG);
        assertThat(view.get("asnaes/gypsum").value().available()).isEqualTo(120);
        assertThat(log.get("surplus.available/asnaes/gypsum/1").value().type()).isEqualTo(AlertRecord.Type.SURPLUS_AVAILABLE);
    }
}
