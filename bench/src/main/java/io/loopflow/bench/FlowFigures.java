package io.loopflow.bench;

import io.loopflow.core.model.FlowRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Which of a workload's readings the stream processor's flow figures ({@code loopflow.flows}, read by a
 * {@link KafkaTail}) reflect, and from when.
 *
 * <p>Reading {@code i} is credited to one flow window: its meter's site, the material and the meter's role, and the
 * window of {@code flowWindow} that holds its {@code ts}. A record of that window counts in {@code readings} the
 * readings credited to it so far. The figures do not say <em>which</em> readings those are, but they are the first
 * ones published into the window: one plant publishes every reading in order on one MQTT connection, Mosquitto
 * delivers them in order to the gateway, which writes them in order to one partition per site (key
 * {@code site/meter}), and the processor handles a site's records in partition order; each meter's readings are in
 * {@code ts} order, so the processor credits each as a new reading, in the order published. Hence: <b>the k-th
 * reading published into a window is included once a record of that window shows {@code readings >= k}</b>.
 *
 * <ul>
 *   <li>{@code included}: marked at the first record (provisional or final) of its window that includes it;</li>
 *   <li>{@code finals}: marked at the final record ({@code final: true}) of its window; a second final of the same
 *       window marks its readings again, which {@link Arrivals} counts as duplicates.</li>
 * </ul>
 * A record showing more readings than were published into its window is counted in {@link #excess} (something
 * credited twice, or a reading that is not the workload's); readings of a final record that shows fewer stay
 * unmarked, so they count as lost. Records of other windows (other workloads, the readings that close the last
 * windows) are only counted ({@link #other}). Called on the tail's thread only.
 */
final class FlowFigures implements Consumer<FlowRecord> {
    private final Map<String, Window> windows = new HashMap<>();
    private final Arrivals included;
    private final Arrivals finals;
    private final AtomicInteger excess = new AtomicInteger();
    private final AtomicInteger other = new AtomicInteger();

    /** The readings of one window in the order published, and how many of them a record has shown so far. */
    private static final class Window {
        final List<Integer> readings = new ArrayList<>();
        int included;
    }

    /** {@code included} and {@code finals}: arrivals of the same sends ({@link Arrivals#Arrivals(Arrivals)}). */
    FlowFigures(Workload w, Duration flowWindow, Arrivals included, Arrivals finals) {
        this.included = included;
        this.finals = finals;
        long size = flowWindow.toMillis();
        for (int i = 0; i < w.size(); i++) {
            int m = Workload.meterIndex(i);
            long start = Math.floorDiv(w.ts(i).toEpochMilli(), size) * size;
            String key = new FlowRecord(w.site(m), Workload.MATERIAL, Workload.role(m), Instant.ofEpochMilli(start),
                    Instant.ofEpochMilli(start + size), 0, "t", 0, false).key();
            windows.computeIfAbsent(key, k -> new Window()).readings.add(i);
        }
    }

    @Override
    public void accept(FlowRecord r) {
        Window w = r == null ? null : windows.get(r.key());
        if (w == null) {
            other.incrementAndGet();
            return;
        }
        int shown = (int) Math.min(r.readings(), w.readings.size());
        if (r.readings() > w.readings.size()) {
            excess.incrementAndGet();
        }
        for (; w.included < shown; w.included++) {
            included.arrived(w.readings.get(w.included));
        }
        if (r.isFinal()) {
            for (int k = 0; k < shown; k++) {
                finals.arrived(w.readings.get(k));
            }
        }
    }

    /** Flow windows of the workload. */
    int windows() {
        return windows.size();
    }

    /** Records that showed more readings than were published into their window. */
    int excess() {
        return excess.get();
    }

    /** Records of windows that are not the workload's. */
    int other() {
        return other.get();
    }
}
