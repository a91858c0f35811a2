package io.loopflow.streams.window;

import io.loopflow.core.model.Role;

/**
 * What the window rules need to know of one meter: the {@code role} it feeds, whether it is
 * active (its last reading or descriptor arrived less than {@code idle.timeout} of wall-clock time
 * ago) and its clock (the newest accepted {@code ts}, epoch ms; null before its first reading).
 */
public record MeterClock(Role role, boolean active, Long clock) {

    /** Activity rule of CONTRACT.md section 6: active until {@code idleTimeoutMs} have passed since {@code lastSeenMs}. */
    public static boolean isActive(long lastSeenMs, long nowMs, long idleTimeoutMs) {
        return nowMs - lastSeenMs < idleTimeoutMs;
    }
}
