package io.loopflow.streams;

/**
 * Names of the state stores, repartition topics and processors of {@link LoopflowTopology}. They
 * become changelog and repartition topic names ({@code <application.id>-<name>-changelog},
 * {@code <application.id>-<name>-repartition}); renaming one under a running deployment loses its
 * state, so {@code LoopflowTopologyTest} pins them.
 */
public final class StoreNames {
    /** Per meter ({@code site/meter}): descriptor, activity and clock (small: read by every punctuation). */
    public static final String METERS = "loopflow-meters";
    /** Per meter ({@code site/meter}): the readings that can still change a window (read per reading only). */
    public static final String METER_HISTORY = "loopflow-meter-history";
    /** Per site: the site descriptor (its region). */
    public static final String SITES = "loopflow-sites";
    /** Open flow windows ({@code site/material/role/windowStart}). */
    public static final String FLOW_WINDOWS = "loopflow-flow-windows";
    /** Open site key-figure windows ({@code site/material/size/windowStart}). */
    public static final String KPI_WINDOWS = "loopflow-kpi-windows";
    /** Per site and material: how far its windows have closed (the {@code late} floor). */
    public static final String CLOSED_UNTIL = "loopflow-closed-until";
    /** Per stock meter ({@code site/meter}): the latest level by {@code ts}. */
    public static final String STOCK_LEVELS = "loopflow-stock-levels";
    /** Per site and material: the progress last sent to its region. */
    public static final String PROGRESS_SENT = "loopflow-region-progress-sent";
    /** Open region key-figure windows ({@code region/material/size/windowStart}) with per-site sums. */
    public static final String REGION_WINDOWS = "loopflow-region-windows";
    /** Per region and material: each site's frontier. */
    public static final String REGION_PROGRESS = "loopflow-region-progress";
    /** Per region, material and size: how far region windows have closed. */
    public static final String REGION_CLOSED_UNTIL = "loopflow-region-closed-until";
    /** Latest {@code KpiRecord} per {@code KpiRecord.key()}, both scopes; queried by the HTTP API. */
    public static final String KPIS_LATEST = "loopflow-kpis-latest";
    /** Material descriptors (global). */
    public static final String MATERIALS = "loopflow-materials";

    /** Repartition topic carrying every site's readings and descriptors, keyed by site. */
    public static final String SITE_EVENTS = "site-events";
    /** Repartition topic carrying site key-figure windows and progress, keyed by region. */
    public static final String REGION_EVENTS = "region-events";

    public static final String SITE_PROCESSOR = "site-processor";
    public static final String REGION_PROCESSOR = "region-processor";

    private StoreNames() {
    }
}
