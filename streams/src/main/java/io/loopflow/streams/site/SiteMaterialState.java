package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.streams.window.ClosedUntil;
import io.loopflow.streams.window.Frontier;
import java.util.Arrays;

/**
 * What one site and material needs to decide, in constant time per reading, whether any of its
 * windows may close; store {@code loopflow-site-materials} (key {@code site, material}).
 *
 * <ul>
 *   <li>{@link #floors}: how far its windows have closed (the {@code late} floors);</li>
 *   <li>per flow role: the role's frontier (lowest clock of its active meters, with the sentinels of
 *       {@link Frontier}), how many active meters are at it, how many meters feed the role, the
 *       wall-clock time at which one of them may first go idle, the end of its newest credited flow
 *       window, and how far its meters' held readings have been pruned;</li>
 *   <li>the progress last sent to the site's region ({@code sentRegion}, {@code sentFrontier}).</li>
 * </ul>
 *
 * <p>The frontier only moves when the meter at it moves, so a reading of any other meter changes
 * nothing here; when the last meter at the frontier moves on, the role's meters are scanned once
 * ({@link Frontiers#rescan}). Mutable; lives within one stream task call.
 */
public final class SiteMaterialState {
    /** Number of flow roles (every {@link Role} but {@code stock}); arrays are indexed by {@link Role#ordinal()}. */
    public static final int ROLES = Role.STOCK.ordinal();

    ClosedUntil floors = ClosedUntil.NOTHING;
    final long[] frontier = filled(Frontier.NONE_ACTIVE);
    final int[] atFrontier = new int[ROLES];
    final int[] meters = new int[ROLES];
    final long[] nextCheck = filled(Long.MAX_VALUE);
    final long[] openUntil = filled(Long.MIN_VALUE);
    final long[] prunedTo = filled(Long.MIN_VALUE);
    /** The canonical unit the site counts the material in while it has open windows (null: none open). */
    String unit;
    /** Closed windows ending before this have been forgotten (older than the horizon). */
    long windowsPrunedTo = Long.MIN_VALUE;
    boolean sent;
    String sentRegion;
    long sentFrontier;
    /** The stored form this state was read from (null: new): a state that did not change is not written again. */
    byte[] stored;

    private static long[] filled(long v) {
        long[] a = new long[ROLES];
        Arrays.fill(a, v);
        return a;
    }

    /** The frontier of the site and material: the lowest of its roles' frontiers (key-figure windows close by it). */
    long siteFrontier() {
        long f = Frontier.NONE_ACTIVE;
        for (int r = 0; r < ROLES; r++) {
            if (meters[r] > 0) {
                f = Math.min(f, frontier[r]);
            }
        }
        return f;
    }

    /** True when {@code role} has meters or flow windows that are still open. */
    boolean participates(int role) {
        return meters[role] > 0 || openUntil[role] > floors.flowFloor(Role.values()[role]);
    }

    /** The earliest wall-clock time at which any role's meters must be looked at again. */
    long nextCheck() {
        long t = Long.MAX_VALUE;
        for (long c : nextCheck) {
            t = Math.min(t, c);
        }
        return t;
    }
}
