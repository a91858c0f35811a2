package io.loopflow.streams.window;

import io.loopflow.core.model.Role;
import java.util.HashMap;
import java.util.Map;

/**
 * How far the windows of one site and material have closed: every flow window of role {@code r}
 * ending at or before {@link #flowFloor} and every key-figure window of size {@code s} ending at or
 * before {@code kpi[s]} is closed (published final and forgotten). A reading whose {@code ts} is
 * before its role's flow floor is {@code late}.
 *
 * <p>Closing a key-figure window closes the flow windows it holds (the flow floor of every role is
 * at least every key-figure floor), so an accepted reading always lands in open windows of every
 * size. Epoch ms; absent means nothing closed yet.
 *
 * @param flow by role wire name
 * @param kpi  by window size in ms
 */
public record ClosedUntil(Map<String, Long> flow, Map<Long, Long> kpi) {

    public static final ClosedUntil NOTHING = new ClosedUntil(Map.of(), Map.of());

    public ClosedUntil {
        flow = Map.copyOf(flow);
        kpi = Map.copyOf(kpi);
    }

    /** Flow windows of {@code role} ending at or before this are closed; {@code Long.MIN_VALUE} when none. */
    public long flowFloor(Role role) {
        long floor = flow.getOrDefault(role.wire(), Long.MIN_VALUE);
        for (long k : kpi.values()) {
            floor = Math.max(floor, k);
        }
        return floor;
    }

    /** Key-figure windows of {@code sizeMs} ending at or before this are closed; {@code Long.MIN_VALUE} when none. */
    public long kpiFloor(long sizeMs) {
        return kpi.getOrDefault(sizeMs, Long.MIN_VALUE);
    }

    ClosedUntil with(Map<String, Long> newFlow, Map<Long, Long> newKpi) {
        Map<String, Long> f = new HashMap<>(flow);
        f.putAll(newFlow);
        Map<Long, Long> k = new HashMap<>(kpi);
        k.putAll(newKpi);
        return new ClosedUntil(f, k);
    }
}
