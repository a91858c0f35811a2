package io.loopflow.streams.region;

/**
 * Per region, material and window kind ({@code loopflow-region-closed-until}): windows ending at or
 * before {@code closedUntil} are closed; closed windows ending at or before {@code prunedTo} were
 * forgotten (older than the restatement horizon).
 */
public record RegionFloor(long closedUntil, long prunedTo) {
}
