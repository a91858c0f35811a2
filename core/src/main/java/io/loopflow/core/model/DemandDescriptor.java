package io.loopflow.core.model;

/**
 * Demand descriptor, retained on {@code loopflow/v1/{site}/demands/{material}} and compacted on
 * {@code loopflow.demands} (key: {@code site/material}): the site wants at least {@code quantity}
 * (canonical unit of the material) within {@code maxDistanceKm} great-circle kilometres.
 */
public record DemandDescriptor(double quantity, double maxDistanceKm) {
}
