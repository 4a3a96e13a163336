package com.parchchat.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The Jackson registrations agree with the Java type system, so no frame type is silently undecodable. */
class FrameRegistryTest {

    @Test
    void findsTheCoreFamilies() {
        assertThat(FrameRegistry.families()).extracting(Class::getSimpleName)
                .contains("ClientToRelay", "RelayToClient", "RelayToHost", "HostToRelay",
                        "HostRequest", "HostReply", "HostEvent");
    }

    @Test
    void everyPermittedRecordIsRegisteredExactlyOnce() {
        for (Class<?> family : FrameRegistry.families()) {
            JsonSubTypes.Type[] registered = family.getAnnotation(JsonSubTypes.class).value();
            Set<Class<?>> registeredClasses = Arrays.stream(registered).map(JsonSubTypes.Type::value)
                    .collect(Collectors.toSet());
            Set<Class<?>> permitted = new HashSet<>(List.of(family.getPermittedSubclasses()));

            assertThat(registeredClasses).as("@JsonSubTypes of %s vs its permitted subclasses", family.getName())
                    .containsExactlyInAnyOrderElementsOf(permitted);
            assertThat(registered).as("one entry per class in %s", family.getName()).hasSize(permitted.size());
            assertThat(Arrays.stream(registered).map(JsonSubTypes.Type::name))
                    .as("type names of %s are non-empty and unique", family.getName())
                    .doesNotContain("").doesNotHaveDuplicates();
            for (Class<?> type : permitted) {
                assertThat(type.isRecord()).as("%s is a record", type.getName()).isTrue();
            }
        }
    }
}
