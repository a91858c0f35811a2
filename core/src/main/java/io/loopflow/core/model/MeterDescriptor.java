package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.loopflow.core.units.Unit;

/**
 * Meter descriptor, retained on {@code loopflow/v1/{site}/meters/{meter}/meta} and compacted on
 * {@code loopflow.meters} (key: {@code site/meter}). {@code unit} is a contract unit symbol: an
 * amount unit for {@code quantity}, {@code counter}, {@code level}, a rate unit for {@code rate};
 * {@code to} optionally names the site that receives an {@code out.reuse} flow.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MeterDescriptor(String material, Role role, MeterKind kind, String unit, String to) {

    /** The meter's unit; descriptors on Kafka have been validated, so it always resolves. */
    @JsonIgnore
    public Unit unitValue() {
        return Unit.ofSymbol(unit).orElseThrow(() -> new IllegalStateException("unvalidated unit " + unit));
    }
}
