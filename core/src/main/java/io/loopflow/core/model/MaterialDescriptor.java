package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.loopflow.core.units.Dimension;

/**
 * Material descriptor, retained on {@code loopflow/v1/materials/{material}} and compacted on
 * {@code loopflow.materials} (key: material id). {@code surplusThreshold} is in the canonical unit
 * of {@code dimension}; {@code ewc} is an optional European Waste Catalogue code.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MaterialDescriptor(String name, Dimension dimension, String ewc, Double surplusThreshold) {
}
