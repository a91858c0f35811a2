package io.loopflow.streams.site;

import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.streams.region.RegionEvent;

/** What the site processor emits; the topology routes each kind to its topic. */
public sealed interface SiteOutput {

    /** For {@code loopflow.flows}. */
    record Flow(FlowRecord record) implements SiteOutput {
    }

    /** For {@code loopflow.kpis} (site scope). */
    record Kpi(KpiRecord record) implements SiteOutput {
    }

    /** For {@code loopflow.rejected}. */
    record Rejected(Rejection record) implements SiteOutput {
    }

    /** For {@code loopflow.internal.stock-levels}: a stock meter's new latest level, for the surplus application. */
    record Level(StockLevel level) implements SiteOutput {
    }

    /** For the {@code region-events} repartition topic, keyed by region. */
    record ToRegion(RegionEvent event) implements SiteOutput {
    }
}
