package io.loopflow.streams.site;

import io.loopflow.core.RejectReason;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.RoleSums;
import io.loopflow.streams.StreamsCounters;
import io.loopflow.streams.region.RegionEvent;
import io.loopflow.streams.window.KpiWindow;
import java.time.Instant;
import java.time.ZoneId;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the site processor emits, forwarded as {@link SiteOutput}s that the topology routes to their topics; counts the
 * figures and region updates it forwarded ({@link #published}).
 */
final class SiteOutputs {
    private static final Logger LOG = LoggerFactory.getLogger(SiteOutputs.class);

    private final ProcessorContext<String, SiteOutput> context;
    private final StreamsCounters counters;
    private final ZoneId zone;
    private long published;

    SiteOutputs(ProcessorContext<String, SiteOutput> context, StreamsCounters counters, ZoneId zone) {
        this.context = context;
        this.counters = counters;
        this.zone = zone;
    }

    void level(StockLevel level, long now) {
        context.forward(new Record<>(level.key(), new SiteOutput.Level(level), now));
    }

    /** Flow and key-figure records and region updates forwarded so far by this instance. */
    long published() {
        return published;
    }

    void flow(FlowRecord record, long now) {
        published++;
        context.forward(new Record<>(record.key(), new SiteOutput.Flow(record), now));
    }

    /** The site's key figures of a window, and its sums for the site's region (if it has one). */
    void kpi(String site, String material, KpiWindow window, long start, long end, RoleSums sums, String unit, String region,
             boolean isFinal, int revision, long now) {
        KpiRecord record = KpiRecord.of(KpiRecord.SITE, site, region, material, window.id(), window.timeZone(zone), Instant.ofEpochMilli(start),
                Instant.ofEpochMilli(end), sums, unit, isFinal, revision);
        published++;
        context.forward(new Record<>(record.key(), new SiteOutput.Kpi(record), now));
        if (region != null) {
            toRegion(RegionEvent.window(region, site, material, window.code(), start, end, sums, unit, isFinal), now);
        }
    }

    void toRegion(RegionEvent event, long now) {
        published++;
        context.forward(new Record<>(event.region(), new SiteOutput.ToRegion(event), now));
    }

    void reject(ReadingRecord r, Admission.Rejected rejected, long now) {
        counters.rejected(rejected.reason());
        if (LOG.isDebugEnabled()) {
            LOG.debug("rejected reading {}/{} at {}: {} ({})", r.site(), r.meter(), r.ts(), rejected.reason().wire(), rejected.detail());
        }
        Rejection rejection = new Rejection(rejected.reason(), rejected.detail(), InboundTopic.reading(r.site(), r.meter()), Json.writeString(r),
                r.receivedAt(), r.site(), r.meter());
        context.forward(new Record<>(rejection.key(), new SiteOutput.Rejected(rejection), now));
    }

    void invalid(SiteEvent.Invalid event, long now) {
        counters.rejected(RejectReason.INVALID_FIELD);
        LOG.warn("invalid record on {}: {}", event.sourceTopic(), event.detail());
        Rejection rejection = new Rejection(RejectReason.INVALID_FIELD, event.detail(), event.sourceTopic(), null,
                Instant.ofEpochMilli(now), event.site(), event.meter());
        context.forward(new Record<>(rejection.key(), new SiteOutput.Rejected(rejection), now));
    }
}
