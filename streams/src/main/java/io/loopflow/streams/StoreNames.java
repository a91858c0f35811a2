package io.loopflow.streams;

import java.util.List;

/**
 * Names of the state stores, repartition topics and processors of {@link LoopflowTopology}. They
 * become changelog and repartition topic names ({@code <application.id>-<name>-changelog},
 * {@code <application.id>-<name>-repartition}); renaming one under a running deployment loses its
 * state, so {@code LoopflowTopologyTest} pins them. Values are in state format 3 (binary,
 * {@code state.StateFormat}); the names of format 1 (JSON) are in {@link #FORMAT_1_TOPICS} so that
 * a processor started against them stops instead of misreading them.
 */
public final class StoreNames {
    /** Per meter (site, meter): its descriptor. */
    public static final String METER_DESCRIPTORS = "loopflow-meter-descriptors";
    /** Per window-feeding meter (site, material, role, meter): clock, predecessor value, last heard of. */
    public static final String METER_CLOCKS = "loopflow-meter-clocks";
    /** Per accepted reading that can still change a window (site, meter, ts): canonical value and seq. */
    public static final String HELD_READINGS = "loopflow-held-readings";
    /** Per held reading with a seq (site, meter, seq): its ts; finds duplicate seqs. */
    public static final String SEEN_SEQS = "loopflow-seen-seqs";
    /** Flow windows (site, material, role, start): open, and closed ones within the restatement horizon. */
    public static final String FLOW_WINDOWS = "loopflow-site-flow-windows";
    /** Site key-figure windows (site, material, window code, start): open, and closed ones within the horizon. */
    public static final String KPI_WINDOWS = "loopflow-site-kpi-windows";
    /** Open windows changed since the last punctuation (kind, window key). */
    public static final String DIRTY_WINDOWS = "loopflow-dirty-windows";
    /** Per site and material: floors, role frontiers, progress sent to the region. */
    public static final String SITE_MATERIALS = "loopflow-site-materials";
    /** Per site: the site descriptor (its region), newest clock, newest closed window end. */
    public static final String SITE_STATES = "loopflow-site-states";
    /** Per stock meter (site, meter): the latest level by {@code ts}. */
    public static final String STOCK_LEVELS = "loopflow-stock-levels-v2";
    /** Open region key-figure windows (region, material, window code, start) with per-site sums. */
    public static final String REGION_WINDOWS = "loopflow-region-windows-v2";
    /** Closed region key-figure windows within the restatement horizon, with per-site sums and revision. */
    public static final String REGION_CLOSED = "loopflow-region-closed-windows";
    /** Region windows changed since the last punctuation. */
    public static final String REGION_DIRTY = "loopflow-region-dirty-windows";
    /** Per region and material: each site's frontier. */
    public static final String REGION_PROGRESS = "loopflow-region-progress-v2";
    /** Per region, material and size: how far region windows have closed. */
    public static final String REGION_CLOSED_UNTIL = "loopflow-region-closed-until-v2";
    /** Material descriptors (global). */
    public static final String MATERIALS = "loopflow-materials";

    /** The stores of the site processor. */
    public static final List<String> SITE_STORES = List.of(METER_DESCRIPTORS, METER_CLOCKS, HELD_READINGS, SEEN_SEQS, FLOW_WINDOWS,
            KPI_WINDOWS, DIRTY_WINDOWS, SITE_MATERIALS, SITE_STATES, STOCK_LEVELS);
    /** The stores of the region processor. */
    public static final List<String> REGION_STORES = List.of(REGION_WINDOWS, REGION_CLOSED, REGION_DIRTY, REGION_PROGRESS, REGION_CLOSED_UNTIL);

    /** Repartition topic carrying site key-figure windows and progress, keyed by region (binary values). */
    public static final String REGION_EVENTS = "region-events-v2";

    public static final String SITE_PROCESSOR = "site-processor";
    public static final String REGION_PROCESSOR = "region-processor";

    /**
     * Internal topics of state format 1 (JSON values; readings crossed a repartition topic): their
     * presence means state of that format, which this processor does not read.
     */
    public static final List<String> FORMAT_1_TOPICS = List.of("site-events-repartition", "loopflow-meter-history-changelog",
            "loopflow-meters-changelog", "loopflow-flow-windows-changelog", "loopflow-kpi-windows-changelog",
            "region-events-repartition", "loopflow-region-windows-changelog");

    private StoreNames() {
    }
}
