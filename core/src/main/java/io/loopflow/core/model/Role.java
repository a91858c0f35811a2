package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** A meter's role in the site's material balance (CONTRACT.md section 2). */
public enum Role {
    /** Primary raw material in. */
    IN_VIRGIN("in.virgin"),
    /** Recycled or by-product material in. */
    IN_SECONDARY("in.secondary"),
    /** Main product out. */
    OUT_PRODUCT("out.product"),
    /** Residue sent to reuse or recycling. */
    OUT_REUSE("out.reuse"),
    /** Residue sent to energy recovery or backfilling. */
    OUT_RECOVERY("out.recovery"),
    /** Residue landfilled or incinerated without recovery. */
    OUT_DISPOSAL("out.disposal"),
    /** Residue put into storage on site with no outlet yet. */
    OUT_STORAGE("out.storage"),
    /** The amount of a residue held in storage (only with kind {@code level}); feeds no window. */
    STOCK("stock");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** True for the roles that are flows (everything but {@code stock}). */
    public boolean isFlow() {
        return this != STOCK;
    }

    /** True for the four residue roles whose sum is R of section 5. */
    public boolean isResidue() {
        return this == OUT_REUSE || this == OUT_RECOVERY || this == OUT_DISPOSAL || this == OUT_STORAGE;
    }

    public static Optional<Role> find(String wire) {
        for (Role r : values()) {
            if (r.wire.equals(wire)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    public static Role ofWire(String wire) {
        return find(wire).orElseThrow(() -> new IllegalArgumentException("unknown role '" + wire + "'"));
    }
}
