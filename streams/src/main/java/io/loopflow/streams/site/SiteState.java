package io.loopflow.streams.site;

import io.loopflow.core.model.SiteDescriptor;

/**
 * One site, in store {@code loopflow-site-states} (key {@code site}): its descriptor (null until
 * one arrives, or after it was deleted: no region), the newest clock among all its meters (a meter
 * more than {@code lag.max} behind it holds no window open) and the end of its newest closed window
 * (late data older than that minus {@code restate.horizon} is {@code late}).
 */
public record SiteState(SiteDescriptor descriptor, long newestClock, long newestClosedEnd) {

    /** A site nothing is known of yet. */
    public static final SiteState NEW = new SiteState(null, Long.MIN_VALUE, Long.MIN_VALUE);

    /** The site's region, or null. */
    public String region() {
        return descriptor == null ? null : descriptor.region();
    }

    SiteState withDescriptor(SiteDescriptor d) {
        return new SiteState(d, newestClock, newestClosedEnd);
    }

    SiteState withClock(long clock) {
        return clock > newestClock ? new SiteState(descriptor, clock, newestClosedEnd) : this;
    }

    SiteState withClosedUntil(long end) {
        return end > newestClosedEnd ? new SiteState(descriptor, newestClock, end) : this;
    }

    /** Readings before this are older than the horizon: {@code late}. {@code Long.MIN_VALUE} while nothing has closed. */
    long horizonFloor(long horizonMs) {
        return newestClosedEnd == Long.MIN_VALUE ? Long.MIN_VALUE : newestClosedEnd - horizonMs;
    }

    /** A meter whose clock is before this no longer holds windows open. */
    long lagThreshold(long lagMaxMs) {
        return newestClock == Long.MIN_VALUE ? Long.MIN_VALUE : newestClock - lagMaxMs;
    }
}
