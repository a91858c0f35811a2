package io.loopflow.app.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopflow.core.inbound.Decoded;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The scenario speaks the contract: everything it publishes passes the gateway's own decoder. */
class KalundborgScenarioTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    private final KalundborgScenario scenario = new KalundborgScenario();
    private final InboundDecoder decoder = new InboundDecoder(InboundDecoder.DEFAULT_MAX_FUTURE);

    @Test
    void everyDescriptorIsRetainedAndAccepted() {
        List<Publication> descriptors = scenario.descriptors();

        assertThat(descriptors).hasSize(4 + 4 + scenario.meters().size() + 1).allMatch(Publication::retained);
        for (Publication p : descriptors) {
            Decoded d = decoder.decode(p.topic(), p.payload(), START);
            assertThat(d.rejections()).as(p.topic() + " " + p.payloadText()).isEmpty();
            assertThat(d.descriptor()).as(p.topic()).isNotNull();
        }
    }

    @Test
    void sitesAreWithinFiveKilometresOfAsnaes() {
        Map<String, SiteDescriptor> sites = scenario.descriptors().stream()
                .filter(p -> p.topic().endsWith("/site"))
                .map(p -> decoder.decode(p.topic(), p.payload(), START).descriptor())
                .collect(Collectors.toMap(c -> c.key(), c -> (SiteDescriptor) c.value()));
        SiteDescriptor asnaes = sites.get("asnaes");
        assertThat(asnaes.lat()).isEqualTo(55.66);
        assertThat(asnaes.lon()).isEqualTo(11.09);
        assertThat(sites.values()).allSatisfy(s -> {
            assertThat(s.region()).isEqualTo("kalundborg");
            assertThat(kilometres(asnaes, s)).isLessThan(5.0);
        });
    }

    @Test
    void everyReadingIsAcceptedWithIncreasingSeq() {
        List<Publication> first = scenario.readings(START, START, START.toEpochMilli());
        List<Publication> second = scenario.readings(START.plusSeconds(1), START, START.plusSeconds(1).toEpochMilli());

        assertThat(first).hasSize(scenario.meters().size()).noneMatch(Publication::retained);
        for (int i = 0; i < first.size(); i++) {
            ReadingRecord a = single(first.get(i));
            ReadingRecord b = single(second.get(i));
            assertThat(b.seq()).isGreaterThan(a.seq());
            assertThat(b.ts()).isEqualTo(a.ts().plusSeconds(1));
        }
    }

    @Test
    void gypsumCounterToGyprocRisesAt200000TonnesAYear() {
        double perHour = counterRise("asnaes/gypsum-to-gyproc", Duration.ofHours(1));
        assertThat(perHour * 24 * 365).isCloseTo(200_000, within(1.0));
    }

    @Test
    void stockpilePassesTheGypsumThresholdWithinAFewMinutes() {
        Function<Duration, Double> stockAfter = d -> single(find(scenario.readings(START.plus(d), START, 1), "asnaes/gypsum-stock")).value();

        assertThat(stockAfter.apply(Duration.ZERO)).isLessThan(KalundborgScenario.GYPSUM_THRESHOLD_T);
        assertThat(stockAfter.apply(Duration.ofMinutes(5))).isGreaterThan(KalundborgScenario.GYPSUM_THRESHOLD_T);
    }

    @Test
    void flyAshRateStaysAroundFiftyTonnesAnHour() {
        for (int minute = 0; minute < 30; minute++) {
            double rate = single(find(scenario.readings(START.plus(Duration.ofMinutes(minute)), START, 1),
                    "asnaes/fly-ash-to-portland")).value();
            assertThat(rate).isBetween(47.0, 53.0);
        }
    }

    @Test
    void gypsumFeedsARecyclingRateAndACircularInputRate() {
        Map<String, MeterDescriptor> meters = scenario.meters().stream()
                .collect(Collectors.toMap(m -> m.site() + "/" + m.meter(), SimulatedMeter::descriptor));
        assertThat(meters.get("asnaes/gypsum-to-gyproc").role()).isEqualTo(Role.OUT_REUSE);
        assertThat(meters.get("asnaes/gypsum-to-gyproc").to()).isEqualTo("gyproc");
        assertThat(meters.get("asnaes/gypsum-to-yard").role()).isEqualTo(Role.OUT_STORAGE);
        assertThat(meters.get("asnaes/gypsum-stock").role()).isEqualTo(Role.STOCK);
        assertThat(meters.get("gyproc/fgd-gypsum-in").role()).isEqualTo(Role.IN_SECONDARY);
        assertThat(meters.get("gyproc/natural-gypsum-in").role()).isEqualTo(Role.IN_VIRGIN);
    }

    private double counterRise(String meter, Duration over) {
        double a = single(find(scenario.readings(START, START, 1), meter)).value();
        double b = single(find(scenario.readings(START.plus(over), START, 2), meter)).value();
        return b - a;
    }

    private static Publication find(List<Publication> readings, String siteMeter) {
        String[] parts = siteMeter.split("/");
        String topic = "loopflow/v1/" + parts[0] + "/meters/" + parts[1] + "/reading";
        return readings.stream().filter(p -> p.topic().equals(topic)).findFirst().orElseThrow();
    }

    private ReadingRecord single(Publication p) {
        // Received a day later, so no reading of these tests is from the future.
        Decoded d = decoder.decode(p.topic(), p.payload(), START.plus(Duration.ofDays(1)));
        assertThat(d.rejections()).as(p.topic() + " " + p.payloadText()).isEmpty();
        assertThat(d.readings()).hasSize(1);
        return d.readings().get(0);
    }

    private static double kilometres(SiteDescriptor a, SiteDescriptor b) {
        double dLat = Math.toRadians(b.lat() - a.lat());
        double dLon = Math.toRadians(b.lon() - a.lon());
        double h = Math.pow(Math.sin(dLat / 2), 2)
                + Math.cos(Math.toRadians(a.lat())) * Math.cos(Math.toRadians(b.lat())) * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * 6371.0 * Math.asin(Math.sqrt(h));
    }
}
