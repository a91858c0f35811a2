package io.loopflow.streams.site;

import io.loopflow.core.model.MeterDescriptor;

/**
 * A registered meter of a site, in store {@code loopflow-meter-descriptors} (key
 * {@code site, meter}): its descriptor. What changes with every reading (clock, activity) is in
 * {@link MeterClock}, so that a reading never rewrites the descriptor.
 */
public record MeterState(MeterDescriptor descriptor) {

    /** True when the meter's readings are credited to windows (not a level or stock meter). */
    public boolean feedsWindows() {
        return feedsWindows(descriptor);
    }

    /** True when a meter with {@code d} feeds flow and key-figure windows. */
    public static boolean feedsWindows(MeterDescriptor d) {
        return d.kind() != io.loopflow.core.model.MeterKind.LEVEL && d.role().isFlow();
    }
}
