package io.loopflow.streams.window;

import io.loopflow.core.model.Role;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The closing rule of CONTRACT.md section 6 for the windows of one site and material, as a pure
 * function: given the meters that feed them and the windows that exist, how far windows close.
 *
 * <ul>
 *   <li>A flow window (role {@code r}) closes when every active meter of role {@code r} has a clock
 *       at or past its end plus grace; a key-figure window likewise over all the meters of the
 *       site and material.</li>
 *   <li>With no active meter, every window that has ended by the wall clock closes at once (so a
 *       site that goes quiet gets its final figures within {@code idle.timeout}); a window still
 *       running by the wall clock (today's 1 d window, say) closes when its end has passed, so a
 *       site that pauses for longer than {@code idle.timeout} does not lose the rest of its day
 *       to {@code late}.</li>
 *   <li>An active meter with no reading yet holds every window open.</li>
 *   <li>Floors never move back: closing is monotonic in window end, so a closed window is never
 *       reopened and {@code late} stays late.</li>
 * </ul>
 */
public final class ClosingRule {
    private final long graceMs;
    private final long flowSizeMs;
    private final List<KpiWindow> kpiWindows;
    private final ZoneId zone;

    /**
     * @param kpiWindows the key-figure windows, whose floors are kept by {@link KpiWindow#code()}
     * @param zone       the time zone of calendar windows
     */
    public ClosingRule(long graceMs, long flowSizeMs, List<KpiWindow> kpiWindows, ZoneId zone) {
        this.graceMs = graceMs;
        this.flowSizeMs = flowSizeMs;
        this.kpiWindows = List.copyOf(kpiWindows);
        this.zone = zone;
    }

    /**
     * The new floors.
     *
     * @param current     floors so far
     * @param meters      the meters of the site and material (level meters excluded)
     * @param windowRoles roles that have open flow windows (possibly without meters any more)
     * @param nowMs       wall clock, epoch ms
     */
    public ClosedUntil advance(ClosedUntil current, List<MeterClock> meters, Set<Role> windowRoles, long nowMs) {
        Map<Role, Long> frontiers = new EnumMap<>(Role.class);
        windowRoles.forEach(r -> frontiers.put(r, Frontier.NONE_ACTIVE));
        for (MeterClock m : meters) {
            frontiers.merge(m.role(), Frontier.of(List.of(m)), Math::min);
        }
        return advance(current, frontiers, nowMs);
    }

    /**
     * The new floors, from each role's frontier (the lowest clock of its active meters, with the
     * sentinels of {@link Frontier}; a role with open windows but no meter has
     * {@link Frontier#NONE_ACTIVE}). Roles absent from {@code roleFrontiers} get no flow floor of
     * their own. Key-figure windows close by the lowest of the roles' frontiers.
     */
    public ClosedUntil advance(ClosedUntil current, Map<Role, Long> roleFrontiers, long nowMs) {
        long siteFrontier = Frontier.NONE_ACTIVE;
        for (long f : roleFrontiers.values()) {
            siteFrontier = Math.min(siteFrontier, f);
        }
        Map<Long, Long> kpi = new HashMap<>();
        for (KpiWindow w : kpiWindows) {
            long floor = advanceOne(current.kpiFloor(w.code()), siteFrontier, w, nowMs);
            if (floor != Long.MIN_VALUE) {
                kpi.put(w.code(), floor);
            }
        }
        Map<String, Long> flow = new HashMap<>();
        roleFrontiers.forEach((role, frontier) -> {
            long currentFloor = current.ownFlowFloor(role);
            long floor = advanceOne(currentFloor, frontier, null, nowMs);
            if (floor != Long.MIN_VALUE) {
                flow.put(role.wire(), floor);
            }
        });
        return current.with(flow, kpi);
    }

    /** True when {@link #advance(ClosedUntil, Map, long)} would move any floor; cheap, for the per-reading check. */
    public boolean wouldAdvance(ClosedUntil current, Map<Role, Long> roleFrontiers, long nowMs) {
        long siteFrontier = Frontier.NONE_ACTIVE;
        for (Map.Entry<Role, Long> e : roleFrontiers.entrySet()) {
            long f = e.getValue();
            siteFrontier = Math.min(siteFrontier, f);
            long floor = current.ownFlowFloor(e.getKey());
            if (advanceOne(floor, f, null, nowMs) != floor) {
                return true;
            }
        }
        for (KpiWindow w : kpiWindows) {
            long floor = current.kpiFloor(w.code());
            if (advanceOne(floor, siteFrontier, w, nowMs) != floor) {
                return true;
            }
        }
        return false;
    }

    /** The site-and-material frontier: the lowest clock of its active meters. */
    public static long frontier(List<MeterClock> meters) {
        return Frontier.of(meters);
    }

    /** The new floor of flow windows ({@code window} null) or of key-figure windows of {@code window}. */
    private long advanceOne(long current, long frontier, KpiWindow window, long nowMs) {
        if (frontier == Frontier.WAITING) {
            return current;
        }
        // With no active meter, the end of the last window that has ended by the wall clock; else the latest window
        // end e with e + grace <= frontier. The end of the last window ended by t is the start of the window holding t.
        long t = frontier == Frontier.NONE_ACTIVE ? nowMs : frontier - graceMs;
        long floor = window == null ? Windows.startOf(t, flowSizeMs) : window.startOf(t, zone);
        return Math.max(current, floor);
    }
}
