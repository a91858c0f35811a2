package io.loopflow.app.simulate;

import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.DemandDescriptor;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small Kalundborg-like region (Denmark, the best-known industrial symbiosis) as MQTT
 * publications: retained site, material, meter and demand descriptors, and one reading per meter
 * for any simulated instant. Pure: the same instant gives the same readings.
 *
 * <p>Published figures it is built on (sources as cited in the project's REGIONS notes):
 * <ul>
 *   <li>Asnaes power station supplies process steam to the refinery (Statoil, later Equinor) and
 *       to Novo Nordisk (visitdenmark.com, "Kalundborg Symbiosis"; NAP, "The Greening of Industrial
 *       Ecosystems", p. 118).</li>
 *   <li>Flue-gas desulphurisation (FGD) gypsum to the Gyproc plasterboard plant: about 200,000 t a
 *       year, most of Gyproc's need (visitdenmark.com) = 22.8 t/h.</li>
 *   <li>Fly ash: about 50 t per hour to Aalborg Portland for cement (Hutchinson, "Industrial ecology
 *       and community renewal").</li>
 *   <li>The refinery sells about 3,000 t of sulphur a year to Kemira (Hutchinson) = 0.34 t/h.</li>
 *   <li>Asnaes at 55.66 N 11.09 E; Gyproc, the refinery and Novo Nordisk within about 5 km.</li>
 * </ul>
 * Illustrative, not published: the steam rates (35 MW and 25 MW), Gyproc's natural gypsum
 * (4 t/h, so FGD gypsum is "most" of its input), the exact coordinates of the three neighbours,
 * and the gypsum put into Asnaes's yard (6 t/h onto a 49.6 t stockpile). The yard is sized so the
 * stockpile passes the 50 t surplus threshold about 4 minutes after the simulation starts, and
 * Gyproc's demand (40 t within 60 km) is in reach at once.
 *
 * <p>Counters are totals since {@link #COUNTER_EPOCH} of simulated time, so they keep rising
 * across restarts of the simulator (a restart must not look like a counter reset).
 */
public final class KalundborgScenario {
    /** The region id of every site. */
    public static final String REGION = "kalundborg";
    /** Counters read their total since this instant. */
    public static final Instant COUNTER_EPOCH = Instant.parse("2020-01-01T00:00:00Z");

    /** FGD gypsum to Gyproc: 200,000 t a year. */
    public static final double GYPSUM_TO_GYPROC_T_PER_H = 200_000.0 / (365 * 24);
    /** FGD gypsum put into Asnaes's yard (illustrative). */
    public static final double GYPSUM_TO_YARD_T_PER_H = 6.0;
    /** The gypsum stockpile when the simulation starts, just under the threshold (illustrative). */
    public static final double GYPSUM_STOCK_AT_START_T = 49.6;
    /** Gypsum surplus threshold of the material descriptor. */
    public static final double GYPSUM_THRESHOLD_T = 50.0;
    /** Natural (virgin) gypsum into Gyproc (illustrative). */
    public static final double NATURAL_GYPSUM_T_PER_H = 4.0;
    /** Fly ash to Aalborg Portland, mean rate. */
    public static final double FLY_ASH_T_PER_H = 50.0;
    /** Sulphur from the refinery to Kemira: 3,000 t a year. */
    public static final double SULPHUR_T_PER_H = 3_000.0 / (365 * 24);
    /** Steam from Asnaes to the refinery, mean (illustrative). */
    public static final double STEAM_TO_REFINERY_MW = 35.0;
    /** Steam from Asnaes to Novo Nordisk, mean (illustrative). */
    public static final double STEAM_TO_NOVO_MW = 25.0;

    private static final Duration SWING_PERIOD = Duration.ofMinutes(15);

    private final List<SimulatedMeter> meters = List.of(
            counter("asnaes", "gypsum-to-gyproc", "gypsum", Role.OUT_REUSE, "gyproc", GYPSUM_TO_GYPROC_T_PER_H),
            counter("asnaes", "gypsum-to-yard", "gypsum", Role.OUT_STORAGE, null, GYPSUM_TO_YARD_T_PER_H),
            new SimulatedMeter("asnaes", "gypsum-stock",
                    new MeterDescriptor("gypsum", Role.STOCK, MeterKind.LEVEL, "t", null),
                    (ts, start) -> round(GYPSUM_STOCK_AT_START_T + GYPSUM_TO_YARD_T_PER_H * hoursBetween(start, ts), 3)),
            rate("asnaes", "fly-ash-to-portland", "fly-ash", Role.OUT_REUSE, "aalborg-portland", "t/h", FLY_ASH_T_PER_H, 3.0),
            rate("asnaes", "steam-to-refinery", "steam", Role.OUT_REUSE, "refinery", "MW", STEAM_TO_REFINERY_MW, 2.0),
            rate("asnaes", "steam-to-novo", "steam", Role.OUT_REUSE, "novo-nordisk", "MW", STEAM_TO_NOVO_MW, 1.5),
            counter("gyproc", "fgd-gypsum-in", "gypsum", Role.IN_SECONDARY, null, GYPSUM_TO_GYPROC_T_PER_H),
            counter("gyproc", "natural-gypsum-in", "gypsum", Role.IN_VIRGIN, null, NATURAL_GYPSUM_T_PER_H),
            counter("refinery", "sulphur-to-kemira", "sulphur", Role.OUT_REUSE, "kemira", SULPHUR_T_PER_H),
            rate("refinery", "steam-in", "steam", Role.IN_SECONDARY, null, "MW", STEAM_TO_REFINERY_MW, 2.0),
            rate("novo-nordisk", "steam-in", "steam", Role.IN_SECONDARY, null, "MW", STEAM_TO_NOVO_MW, 1.5));

    /** The simulated meters, in publishing order. */
    public List<SimulatedMeter> meters() {
        return meters;
    }

    /** Sites, materials, meters and the demand, each as a retained QoS 1 publication. */
    public List<Publication> descriptors() {
        Map<String, Object> byTopic = new LinkedHashMap<>();
        byTopic.put(InboundTopic.siteMeta("asnaes"), new SiteDescriptor("Asnaes Power Station", REGION, 55.66, 11.09));
        byTopic.put(InboundTopic.siteMeta("gyproc"), new SiteDescriptor("Gyproc plasterboard plant", REGION, 55.668, 11.098));
        byTopic.put(InboundTopic.siteMeta("refinery"), new SiteDescriptor("Kalundborg refinery", REGION, 55.684, 11.096));
        byTopic.put(InboundTopic.siteMeta("novo-nordisk"), new SiteDescriptor("Novo Nordisk Kalundborg", REGION, 55.672, 11.122));
        byTopic.put(InboundTopic.material("gypsum"), new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", GYPSUM_THRESHOLD_T));
        byTopic.put(InboundTopic.material("fly-ash"), new MaterialDescriptor("Coal fly ash", Dimension.MASS, "10 01 02", 500.0));
        byTopic.put(InboundTopic.material("steam"), new MaterialDescriptor("Process steam", Dimension.ENERGY, null, null));
        byTopic.put(InboundTopic.material("sulphur"), new MaterialDescriptor("Sulphur", Dimension.MASS, "05 01 16", 100.0));
        for (SimulatedMeter m : meters) {
            byTopic.put(InboundTopic.meterMeta(m.site(), m.meter()), m.descriptor());
        }
        byTopic.put(InboundTopic.demand("gyproc", "gypsum"), new DemandDescriptor(40, 60));
        List<Publication> out = new ArrayList<>();
        byTopic.forEach((topic, descriptor) -> out.add(new Publication(topic, Json.write(descriptor), true)));
        return out;
    }

    /**
     * One reading per meter at simulated instant {@code ts} of a simulation started at
     * {@code start}, each carrying {@code seq}.
     */
    public List<Publication> readings(Instant ts, Instant start, long seq) {
        List<Publication> out = new ArrayList<>(meters.size());
        for (SimulatedMeter m : meters) {
            byte[] payload = Json.write(new Reading(ts, m.value().at(ts, start), seq));
            out.add(new Publication(InboundTopic.reading(m.site(), m.meter()), payload, false));
        }
        return out;
    }

    /** The wire form of a reading (CONTRACT.md section 2). */
    record Reading(Instant ts, double value, long seq) {
    }

    private static SimulatedMeter counter(String site, String meter, String material, Role role, String to, double tonnesPerHour) {
        return new SimulatedMeter(site, meter, new MeterDescriptor(material, role, MeterKind.COUNTER, "t", to),
                (ts, start) -> round(tonnesPerHour * hoursBetween(COUNTER_EPOCH, ts), 4));
    }

    private static SimulatedMeter rate(String site, String meter, String material, Role role, String to, String unit,
                                       double mean, double swing) {
        // A slow swing around the mean so that the figures visibly move.
        return new SimulatedMeter(site, meter, new MeterDescriptor(material, role, MeterKind.RATE, unit, to),
                (ts, start) -> round(mean + swing * Math.sin(2 * Math.PI * hoursBetween(COUNTER_EPOCH, ts)
                        / (SWING_PERIOD.toSeconds() / 3600.0)), 3));
    }

    private static double hoursBetween(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 3_600_000.0;
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
