package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.streams.window.Frontier;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * Keeps each role's frontier in {@link SiteMaterialState} right as meters move, without looking at
 * every meter for every reading. A role's frontier is the lowest clock of the meters that hold its
 * windows: active ones (CONTRACT.md section 6, {@code idle.timeout}) whose clock is within
 * {@code lag.max} of the site's newest clock (a meter further behind is a backlog: its readings
 * restate). It can only change when a meter at it moves on, when a meter starts or stops holding
 * (a reading or descriptor from an idle meter; idleness passing; the site's newest clock moving
 * past a meter by more than {@code lag.max}), or when the role's meters change. Only then are the
 * role's meters scanned ({@link #rescan}); the state counts how many holding meters are at the
 * frontier, so a role of many meters in step is scanned once per step, not once per meter.
 */
final class Frontiers {
    private static final Role[] ROLES = Role.values();

    private final SiteStores stores;
    private final long idleMs;

    Frontiers(SiteStores stores, long idleMs) {
        this.stores = stores;
        this.idleMs = idleMs;
    }

    private boolean holds(MeterClockState c, long now, long lagThreshold) {
        return c.activeAt(now, idleMs) && (c.clock() == null || c.clock() >= lagThreshold);
    }

    /**
     * A reading of a meter of {@code role} moved its clock from {@code before} to {@code after}
     * (already stored), with the site's lag threshold {@code thresholdBefore} before the reading and
     * {@code thresholdAfter} after it. Returns true when the role's frontier changed.
     */
    boolean onReading(String site, String material, SiteMaterialState s, Role role, MeterClockState before, MeterClockState after,
                      long now, long thresholdBefore, long thresholdAfter) {
        int r = role.ordinal();
        if (before == null || !holds(before, now, thresholdBefore)) {
            // It did not hold windows (idle, or lagging): it does now if it is within lag.max.
            return holds(after, now, thresholdAfter) && rescan(site, material, s, role, now, thresholdAfter);
        }
        long was = before.clock() == null ? Frontier.WAITING : before.clock();
        long is = after.clock();
        if (was == is || was != s.frontier[r]) {
            return false;
        }
        if (--s.atFrontier[r] > 0) {
            return false;
        }
        if (s.meters[r] == 1) {
            // The role's only meter moved: its clock is the frontier, no need to look.
            s.frontier[r] = is;
            s.atFrontier[r] = 1;
            return true;
        }
        return rescan(site, material, s, role, now, thresholdAfter);
    }

    /** Looks at every meter of {@code role} again; returns true when its frontier changed. */
    boolean rescan(String site, String material, SiteMaterialState s, Role role, long now, long lagThreshold) {
        int r = role.ordinal();
        List<KeyValue<String, MeterClockState>> clocks = stores.clocksOf(site, material, role);
        long frontier = Frontier.NONE_ACTIVE;
        int at = 0;
        long nextCheck = Long.MAX_VALUE;
        for (KeyValue<String, MeterClockState> kv : clocks) {
            MeterClockState c = kv.value;
            if (!c.activeAt(now, idleMs)) {
                continue;
            }
            // An active meter may go idle later, lagging or not (and stop lagging by a reading).
            nextCheck = Math.min(nextCheck, c.lastSeenAt() + idleMs);
            if (!holds(c, now, lagThreshold)) {
                continue;
            }
            long value = c.clock() == null ? Frontier.WAITING : c.clock();
            if (value < frontier) {
                frontier = value;
                at = 1;
            } else if (value == frontier) {
                at++;
            }
        }
        boolean changed = s.frontier[r] != frontier;
        s.frontier[r] = frontier;
        s.atFrontier[r] = at;
        s.meters[r] = clocks.size();
        s.nextCheck[r] = nextCheck;
        return changed;
    }

    /**
     * Rescans the roles in which a meter may have gone idle by {@code now}, or whose frontier fell
     * more than {@code lag.max} behind the site's newest clock; returns true when a frontier changed.
     */
    boolean check(String site, String material, SiteMaterialState s, long now, long lagThreshold) {
        boolean changed = false;
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            long f = s.frontier[r];
            boolean lagging = s.meters[r] > 0 && f != Frontier.WAITING && f != Frontier.NONE_ACTIVE && f < lagThreshold;
            if (s.nextCheck[r] <= now || lagging) {
                changed |= rescan(site, material, s, ROLES[r], now, lagThreshold);
            }
        }
        return changed;
    }
}
