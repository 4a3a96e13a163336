package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A member's role in a space. Ordered by power: an owner can do everything an admin can, an
 * admin everything a member can. Exactly one owner per space.
 */
public enum Role {
    OWNER("owner"),
    ADMIN("admin"),
    MEMBER("member");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** Whether this role has at least the power of {@code other}. */
    public boolean atLeast(Role other) {
        return ordinal() <= other.ordinal();
    }

    @JsonCreator
    public static Role fromWire(String wire) {
        for (Role role : values()) {
            if (role.wire.equals(wire)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + wire + "'");
    }
}
