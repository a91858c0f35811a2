package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.streams.window.Frontier;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * Keeps each role's frontier in {@link SiteMaterialState} right as meters move, without looking at
 * every meter for every reading: a role's frontier (the lowest clock of its active meters) can only
 * change when a meter at it moves on, when a meter joins or leaves the active set (a reading or
 * descriptor from an idle meter; idleness passing), or when its meters change. Only then are the
 * role's meters scanned ({@link #rescan}); the state counts how many active meters are at the
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

    /**
     * A reading of an active or idle meter of {@code role} moved its clock from {@code before} to
     * {@code after} (already stored). Returns true when the role's frontier changed.
     */
    boolean onReading(String site, String material, SiteMaterialState s, Role role, MeterClockState before, MeterClockState after,
                      long now) {
        int r = role.ordinal();
        if (before == null || !before.activeAt(now, idleMs)) {
            // An idle meter speaks again: it joins the active set.
            return rescan(site, material, s, role, now);
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
        return rescan(site, material, s, role, now);
    }

    /** Looks at every meter of {@code role} again; returns true when its frontier changed. */
    boolean rescan(String site, String material, SiteMaterialState s, Role role, long now) {
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
            long value = c.clock() == null ? Frontier.WAITING : c.clock();
            if (value < frontier) {
                frontier = value;
                at = 1;
            } else if (value == frontier) {
                at++;
            }
            nextCheck = Math.min(nextCheck, c.lastSeenAt() + idleMs);
        }
        boolean changed = s.frontier[r] != frontier;
        s.frontier[r] = frontier;
        s.atFrontier[r] = at;
        s.meters[r] = clocks.size();
        s.nextCheck[r] = nextCheck;
        return changed;
    }

    /** Rescans the roles in which a meter may have gone idle by {@code now}; returns true when a frontier changed. */
    boolean checkIdle(String site, String material, SiteMaterialState s, long now) {
        boolean changed = false;
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            if (s.nextCheck[r] <= now) {
                changed |= rescan(site, material, s, ROLES[r], now);
            }
        }
        return changed;
    }
}
