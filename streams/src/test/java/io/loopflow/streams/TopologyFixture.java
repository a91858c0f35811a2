package io.loopflow.streams;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * A {@link TopologyTestDriver} over {@link LoopflowTopology} with a controlled wall clock, typed
 * input helpers and drained outputs. Input records carry the wall clock as Kafka timestamp, as a
 * gateway stamps them with {@code receivedAt}.
 */
final class TopologyFixture implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    final ProcessorConfig config;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TopologyTestDriver driver;
    private Instant wall;
    private final TestInputTopic<String, ReadingRecord> readings;
    private final TestInputTopic<String, MeterDescriptor> meters;
    private final TestInputTopic<String, SiteDescriptor> sites;
    private final TestInputTopic<String, MaterialDescriptor> materials;
    private final TestOutputTopic<String, FlowRecord> flows;
    private final TestOutputTopic<String, KpiRecord> kpis;
    private final TestOutputTopic<String, Rejection> rejected;
    final List<FlowRecord> flowLog = new ArrayList<>();
    final List<KpiRecord> kpiLog = new ArrayList<>();
    final List<Rejection> rejectionLog = new ArrayList<>();

    TopologyFixture(Path stateDir) {
        this(ProcessorConfig.defaults("unused:9092", stateDir).withHttpPort(-1));
    }

    TopologyFixture(ProcessorConfig config) {
        this.config = config;
        StreamsCounters counters = new StreamsCounters(registry);
        Properties props = LoopflowTopology.streamsProperties(config, counters);
        this.wall = T0;
        this.driver = new TopologyTestDriver(LoopflowTopology.build(config, counters), props, wall);
        readings = input(Topics.READINGS);
        meters = input(Topics.METERS);
        sites = input(Topics.SITES);
        materials = input(Topics.MATERIALS);
        flows = output(Topics.FLOWS);
        kpis = output(Topics.KPIS);
        rejected = output(Topics.REJECTED);
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> t) {
        return driver.createInputTopic(t.name(), t.keySerde().serializer(), t.valueSerde().serializer());
    }

    private <V> TestOutputTopic<String, V> output(Topic<String, V> t) {
        return driver.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
    }

    Instant wall() {
        return wall;
    }

    /** Advances the wall clock (and so fires the punctuators) by {@code d}, in commit-interval steps. */
    TopologyFixture advance(Duration d) {
        Duration step = config.commitInterval();
        Duration left = d;
        while (left.compareTo(step) > 0) {
            driver.advanceWallClockTime(step);
            wall = wall.plus(step);
            left = left.minus(step);
        }
        driver.advanceWallClockTime(left);
        wall = wall.plus(left);
        drain();
        return this;
    }

    /** Advances the wall clock by {@code d} in one step (one punctuation). */
    TopologyFixture jump(Duration d) {
        driver.advanceWallClockTime(d);
        wall = wall.plus(d);
        drain();
        return this;
    }

    /** One punctuation: lets provisional records out. */
    TopologyFixture tick() {
        return advance(config.commitInterval());
    }

    TopologyFixture site(String site, String region) {
        return site(site, new SiteDescriptor(site.toUpperCase(), region, null, null));
    }

    TopologyFixture site(String site, SiteDescriptor descriptor) {
        sites.pipeInput(site, descriptor, wall);
        drain();
        return this;
    }

    TopologyFixture material(String material, Dimension dimension) {
        materials.pipeInput(material, new MaterialDescriptor(material, dimension, null, null), wall);
        drain();
        return this;
    }

    TopologyFixture meter(String site, String meter, String material, Role role, MeterKind kind, String unit) {
        meters.pipeInput(site + "/" + meter, new MeterDescriptor(material, role, kind, unit, null), wall);
        drain();
        return this;
    }

    TopologyFixture deleteMeter(String site, String meter) {
        meters.pipeInput(site + "/" + meter, null, wall);
        drain();
        return this;
    }

    TopologyFixture reading(String site, String meter, Instant ts, double value) {
        return reading(site, meter, ts, value, null, null);
    }

    TopologyFixture reading(String site, String meter, Instant ts, double value, Long seq, String unit) {
        readings.pipeInput(site + "/" + meter, new ReadingRecord(site, meter, ts, value, seq, unit, wall), wall);
        drain();
        return this;
    }

    /** Pipes raw bytes onto loopflow.readings (a record that does not deserialize). */
    TopologyFixture rawReading(String key, byte[] value) {
        driver.createInputTopic(Topics.READINGS.name(), new StringSerializer(), new ByteArraySerializer())
                .pipeInput(key, value, wall);
        drain();
        return this;
    }

    private void drain() {
        flowLog.addAll(flows.readValuesToList());
        kpiLog.addAll(kpis.readValuesToList());
        rejectionLog.addAll(rejected.readValuesToList());
    }

    List<FlowRecord> finalFlows() {
        return flowLog.stream().filter(FlowRecord::isFinal).toList();
    }

    List<KpiRecord> finalKpis(String scope) {
        return kpiLog.stream().filter(k -> k.isFinal() && k.scope().equals(scope)).toList();
    }

    double counter(String name) {
        var c = registry.find(name).counter();
        return c == null ? 0 : c.count();
    }

    double counter(String name, String tag, String value) {
        var c = registry.find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        driver.close();
    }
}
