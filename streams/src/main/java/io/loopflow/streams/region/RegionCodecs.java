package io.loopflow.streams.region;

import io.loopflow.core.model.RoleSums;
import io.loopflow.streams.StoreNames;
import io.loopflow.streams.state.Bin;
import io.loopflow.streams.state.BinSerde;
import java.util.Map;
import java.util.TreeMap;

/** The binary serdes of the region processor's repartition records and store values (the state format of {@code state.StateFormat}). */
public final class RegionCodecs {
    private RegionCodecs() {
    }

    private static final RegionEvent.Kind[] KINDS = RegionEvent.Kind.values();

    /** {@link RegionEvent}s on the {@code region-events} repartition topic. */
    public static final BinSerde<RegionEvent> EVENT = new BinSerde<>(StoreNames.REGION_EVENTS + " record", (w, e) -> {
        w.u8(e.kind().ordinal()).str(e.region()).str(e.site()).str(e.material()).i64(e.code()).i64(e.start()).i64(e.end());
        w.bool(e.sums() != null);
        if (e.sums() != null) {
            sums(w, e.sums());
        }
        w.str(e.unit()).bool(e.closed()).i64(e.frontier());
    }, r -> {
        RegionEvent.Kind kind = KINDS[r.u8()];
        String region = r.str();
        String site = r.str();
        String material = r.str();
        long code = r.i64();
        long start = r.i64();
        long end = r.i64();
        RoleSums sums = r.bool() ? sums(r) : null;
        return new RegionEvent(kind, region, site, material, code, start, end, sums, r.str(), r.bool(), r.i64());
    });

    /** {@link RegionWindowState}s of the open and closed region window stores. */
    public static final BinSerde<RegionWindowState> WINDOW = new BinSerde<>(StoreNames.REGION_WINDOWS, (w, s) -> {
        w.str(s.region()).str(s.material()).i64(s.code()).i64(s.start()).i64(s.end()).str(s.unit()).bool(s.dirty()).i32(s.revision())
                .i32(s.sites().size());
        s.sites().forEach((site, c) -> {
            w.str(site).bool(c.closed());
            sums(w, c.sums());
        });
    }, r -> {
        String region = r.str();
        String material = r.str();
        long code = r.i64();
        long start = r.i64();
        long end = r.i64();
        String unit = r.str();
        boolean dirty = r.bool();
        int revision = r.i32();
        int n = r.i32();
        Map<String, RegionWindowState.Contribution> sites = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String site = r.str();
            boolean closed = r.bool();
            sites.put(site, new RegionWindowState.Contribution(sums(r), closed));
        }
        return new RegionWindowState(region, material, code, start, end, unit, sites, dirty, revision);
    });

    /** {@link RegionProgress} of {@code loopflow-region-progress}. */
    public static final BinSerde<RegionProgress> PROGRESS = new BinSerde<>(StoreNames.REGION_PROGRESS, (w, p) -> {
        w.i32(p.frontiers().size());
        p.frontiers().forEach((site, f) -> w.str(site).i64(f));
    }, r -> {
        int n = r.i32();
        Map<String, Long> frontiers = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            frontiers.put(r.str(), r.i64());
        }
        return new RegionProgress(frontiers);
    });

    /** Floors of {@code loopflow-region-closed-until}: how far windows closed, and how far closed ones were forgotten. */
    public static final BinSerde<RegionFloor> FLOOR = new BinSerde<>(StoreNames.REGION_CLOSED_UNTIL,
            (w, f) -> w.i64(f.closedUntil()).i64(f.prunedTo()), r -> new RegionFloor(r.i64(), r.i64()));

    /** A marker value (the dirty index). */
    public static final BinSerde<Boolean> MARK = new BinSerde<>(StoreNames.REGION_DIRTY, Bin.Writer::bool, Bin.Reader::bool);

    private static void sums(Bin.Writer w, RoleSums s) {
        w.f64(s.inVirgin()).f64(s.inSecondary()).f64(s.outProduct()).f64(s.outReuse()).f64(s.outRecovery()).f64(s.outDisposal())
                .f64(s.outStorage());
    }

    private static RoleSums sums(Bin.Reader r) {
        return new RoleSums(r.f64(), r.f64(), r.f64(), r.f64(), r.f64(), r.f64(), r.f64());
    }
}
