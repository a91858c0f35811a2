package io.loopflow.streams.site;

import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.SiteDescriptor;

/**
 * One input of a site's processor, read from the site's partition of {@code loopflow.readings},
 * {@code loopflow.meters} or {@code loopflow.sites} (the gateway puts all of a site's records in
 * one partition: {@code SitePartitioner}).
 */
public sealed interface SiteEvent {

    /** The site the event belongs to (may be invalid for {@link Invalid}). */
    String site();

    /** An accepted reading from the gateway. */
    record Reading(ReadingRecord reading) implements SiteEvent {
        @Override
        public String site() {
            return reading.site();
        }
    }

    /** A meter descriptor; {@code descriptor} null: deleted. */
    record Meter(String site, String meter, MeterDescriptor descriptor) implements SiteEvent {
    }

    /** A site descriptor; {@code descriptor} null: deleted. */
    record Site(String site, SiteDescriptor descriptor) implements SiteEvent {
    }

    /** An input record that names no valid site, meter or time: rejected as {@code invalid_field}. */
    record Invalid(String site, String meter, String detail, String sourceTopic) implements SiteEvent {
    }
}
