package io.loopflow.dashboards;

import com.influxdb.client.write.Point;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.sink.PointMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A known scenario, as the sink writes it (its {@link PointMapper}): two sites of region kalundborg (asnaes
 * sends gypsum to gyproc), one site of region aarhus, key figures, surplus, alerts and pipeline health, all
 * in the two hours after {@code base}, and asnaes's month so far. Late data: a weighbridge ticket of 4 t of
 * gypsum to gyproc restated the flow window {@code base+1m} (4 t, revision 0, then 8 t, revision 1), and with
 * it asnaes's and the region's hour {@code base} (revision 1), written after the first finals as the sink
 * writes them, so they overwrite. Asnaes's next hour ({@code base+60m}) is running with nothing credited yet.
 */
final class Scenario {
    private Scenario() {
    }

    static List<String> lineProtocol(Instant base) {
        PointMapper mapper = new PointMapper(() -> {
            throw new AssertionError("the scenario has no non-finite numbers");
        });
        List<Point> points = new ArrayList<>();
        Instant b1 = base.plus(Duration.ofMinutes(1));
        // flows; the provisional out.reuse record is overwritten by the final one
        points.add(mapper.flow(flow("asnaes", "gypsum", Role.OUT_REUSE, base, 3, "t", false), "kalundborg"));
        points.add(mapper.flow(flow("asnaes", "gypsum", Role.OUT_REUSE, base, 6, "t", true), "kalundborg"));
        points.add(mapper.flow(flow("asnaes", "gypsum", Role.OUT_REUSE, b1, 4, "t", true), "kalundborg"));
        points.add(mapper.flow(restated(flow("asnaes", "gypsum", Role.OUT_REUSE, b1, 8, "t", true), 1), "kalundborg"));
        points.add(mapper.flow(flow("asnaes", "gypsum", Role.OUT_DISPOSAL, base, 2, "t", true), "kalundborg"));
        points.add(mapper.flow(flow("asnaes", "gypsum", Role.OUT_STORAGE, base, 2, "t", true), "kalundborg"));
        points.add(mapper.flow(flow("gyproc", "gypsum", Role.IN_VIRGIN, base, 30, "t", true), "kalundborg"));
        points.add(mapper.flow(flow("gyproc", "gypsum", Role.IN_SECONDARY, base, 10, "t", true), "kalundborg"));
        points.add(mapper.flow(flow("arla", "gypsum", Role.OUT_DISPOSAL, base, 100, "t", true), "aarhus"));
        points.add(mapper.flow(flow("asnaes", "steam", Role.OUT_PRODUCT, base, 50, "MWh", true), "kalundborg"));
        points.add(mapper.exchange(flow("asnaes", "gypsum", Role.OUT_REUSE, base, 6, "t", true), "kalundborg", "gyproc"));
        points.add(mapper.exchange(flow("asnaes", "gypsum", Role.OUT_REUSE, b1, 4, "t", true), "kalundborg", "gyproc"));
        points.add(mapper.exchange(restated(flow("asnaes", "gypsum", Role.OUT_REUSE, b1, 8, "t", true), 1), "kalundborg", "gyproc"));
        // an exchange in another region: neither the table nor the node graph of region kalundborg shows it
        points.add(mapper.exchange(flow("arla", "gypsum", Role.OUT_REUSE, base, 7, "t", true), "aarhus", "aalborg-portland"));
        // key figures
        Duration hour = Duration.ofHours(1);
        points.add(mapper.kpi(KpiRecord.of("site", "asnaes", "kalundborg", "gypsum", hour, base, new RoleSums(0, 0, 0, 10, 0, 2, 2), "t", true)));
        points.add(mapper.kpi(KpiRecord.of("site", "gyproc", "kalundborg", "gypsum", hour, base, new RoleSums(30, 10, 0, 0, 0, 0, 0), "t", true)));
        points.add(mapper.kpi(KpiRecord.of("site", "arla", "aarhus", "gypsum", hour, base, new RoleSums(0, 0, 0, 0, 0, 100, 0), "t", true)));
        points.add(mapper.kpi(KpiRecord.of("region", null, "kalundborg", "gypsum", hour, base, new RoleSums(30, 10, 0, 10, 0, 2, 2), "t", true)));
        points.add(mapper.kpi(KpiRecord.of("region", null, "aarhus", "gypsum", hour, base, new RoleSums(0, 0, 0, 0, 0, 100, 0), "t", true)));
        // the ticket restates the closed hour of asnaes and of the region (revision 1, written after revision 0)
        points.add(mapper.kpi(restated(KpiRecord.of("site", "asnaes", "kalundborg", "gypsum", hour, base, new RoleSums(0, 0, 0, 14, 0, 2, 2), "t", true), 1)));
        points.add(mapper.kpi(restated(KpiRecord.of("region", null, "kalundborg", "gypsum", hour, base, new RoleSums(30, 10, 0, 14, 0, 2, 2), "t", true), 1)));
        // the running hour of asnaes, nothing credited yet: no rate at all
        points.add(mapper.kpi(KpiRecord.of("site", "asnaes", "kalundborg", "gypsum", hour, base.plus(hour), new RoleSums(0, 0, 0, 0, 0, 0, 0), "t", false)));
        // the running day (the ticket included) and month of asnaes
        points.add(mapper.kpi(KpiRecord.of("site", "asnaes", "kalundborg", "gypsum", Duration.ofDays(1), base, new RoleSums(0, 0, 0, 24, 0, 4, 6), "t", false)));
        Instant month = monthStart(base);
        points.add(mapper.kpi(KpiRecord.of("site", "asnaes", "kalundborg", "gypsum", KpiRecord.MONTH, "UTC", month, month.atZone(ZoneOffset.UTC).plusMonths(1).toInstant(),
                new RoleSums(0, 0, 0, 300, 0, 40, 60), "t", false, 0)));
        // surplus
        points.add(mapper.surplus(new SurplusRecord("asnaes", "gypsum", 80, 2, "t", SurplusRecord.Source.STOCK, base.plus(Duration.ofMinutes(30))), "kalundborg"));
        points.add(mapper.surplus(new SurplusRecord("asnaes", "gypsum", 95, 3, "t", SurplusRecord.Source.STOCK, base.plus(Duration.ofMinutes(60))), "kalundborg"));
        points.add(mapper.surplus(new SurplusRecord("arla", "gypsum", 0, 0, "t", SurplusRecord.Source.STORAGE, base.plus(Duration.ofMinutes(10))), "aarhus"));
        // alerts
        points.add(mapper.alert(new AlertRecord("s1", AlertRecord.Type.SURPLUS_AVAILABLE, "asnaes", "gypsum", null, 80.0, 50.0, null,
                base.plus(Duration.ofMinutes(30)), "80 t of gypsum available at asnaes"), "kalundborg"));
        points.add(mapper.alert(new AlertRecord("m1", AlertRecord.Type.MATCH, "asnaes", "gypsum", "gyproc", 80.0, 40.0, 12.5,
                base.plus(Duration.ofMinutes(31)), "asnaes can supply gyproc"), "kalundborg"));
        points.add(mapper.alert(new AlertRecord("m2", AlertRecord.Type.MATCH, "asnaes", "gypsum", "arla", 80.0, 60.0, 180.2,
                base.plus(Duration.ofMinutes(32)), "asnaes can supply arla"), "kalundborg"));
        points.add(mapper.alert(new AlertRecord("m3", AlertRecord.Type.MATCH_CLOSED, "asnaes", "gypsum", "arla", null, null, null,
                base.plus(Duration.ofMinutes(40)), "arla no longer wants gypsum"), "kalundborg"));
        // data quality: gyproc's coordinates were fixed, novo-nordisk's are still missing
        points.add(mapper.dataQuality(new DataQualityRecord("gyproc", "gypsum", DataQualityRecord.NO_COORDINATES, "gyproc has no lat/lon", false, base)));
        points.add(mapper.dataQuality(new DataQualityRecord("gyproc", "gypsum", DataQualityRecord.NO_COORDINATES, null, true, base.plusSeconds(600))));
        points.add(mapper.dataQuality(new DataQualityRecord("novo-nordisk", "steam", DataQualityRecord.NO_COORDINATES, "novo-nordisk has no lat/lon", false, base)));
        // pipeline health
        Instant b10 = base.plusSeconds(10);
        points.add(mapper.ingest("accepted", null, 0, base, 120));
        points.add(mapper.ingest("accepted", null, 0, b10, 60));
        points.add(mapper.ingest("accepted", null, 1, base, 20));
        points.add(mapper.ingest("rejected", "late", 0, base, 3));
        points.add(mapper.ingest("rejected", "invalid_field", 0, b10, 2));
        // consumer lag: the stream processor behind on readings p0 (5, then 12) and p1 (3), the surplus application on
        // flows (2), the sink caught up (0)
        points.add(mapper.lag("loopflow-streams", "loopflow.readings", 0, 5, base));
        points.add(mapper.lag("loopflow-streams", "loopflow.readings", 0, 12, b10));
        points.add(mapper.lag("loopflow-streams", "loopflow.readings", 1, 3, base));
        points.add(mapper.lag("loopflow-streams-surplus", "loopflow.flows", 0, 2, base));
        points.add(mapper.lag("loopflow-sink", "loopflow.kpis", 0, 0, base));
        return points.stream().map(Point::toLineProtocol).toList();
    }

    /** The start of the UTC month of {@code t}. */
    static Instant monthStart(Instant t) {
        return t.atZone(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();
    }

    private static FlowRecord restated(FlowRecord r, int revision) {
        return new FlowRecord(r.site(), r.material(), r.role(), r.windowStart(), r.windowEnd(), r.quantity(), r.unit(), r.readings() + 1, true, revision);
    }

    private static KpiRecord restated(KpiRecord r, int revision) {
        return KpiRecord.of(r.scope(), r.site(), r.region(), r.material(), r.window(), r.timeZone(), r.windowStart(), r.windowEnd(), r.sums(), r.unit(),
                true, revision);
    }

    private static FlowRecord flow(String site, String material, Role role, Instant start, double quantity, String unit, boolean isFinal) {
        return new FlowRecord(site, material, role, start, start.plusSeconds(60), quantity, unit, 1, isFinal);
    }
}
