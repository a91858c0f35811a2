package io.loopflow.streams.site;

import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.SiteDescriptor;

/**
 * One input of a site, on the {@code site-events} repartition topic (key: site): a reading, a
 * meter descriptor (null: deleted), a site descriptor (null: deleted), or an input record that
 * could not be routed ({@code invalid}, with {@code detail} and its {@code sourceTopic}).
 */
public record SiteEvent(Kind kind, String site, String meter, ReadingRecord reading, MeterDescriptor meterDescriptor,
                        SiteDescriptor siteDescriptor, String detail, String sourceTopic) {

    /** What the event carries. */
    public enum Kind { READING, METER, SITE, INVALID }

    public static SiteEvent reading(ReadingRecord r) {
        return new SiteEvent(Kind.READING, r.site(), r.meter(), r, null, null, null, null);
    }

    public static SiteEvent meter(String site, String meter, MeterDescriptor descriptor) {
        return new SiteEvent(Kind.METER, site, meter, null, descriptor, null, null, null);
    }

    public static SiteEvent site(String site, SiteDescriptor descriptor) {
        return new SiteEvent(Kind.SITE, site, null, null, null, descriptor, null, null);
    }

    public static SiteEvent invalid(String site, String meter, String detail, String sourceTopic) {
        return new SiteEvent(Kind.INVALID, site, meter, null, null, null, detail, sourceTopic);
    }
}
