package dev.vmclock.conformance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every run-time fault the areas define is run by the fault tier, under a name of its own: a fault left out of
 * FaultInjectionTest's list would prove nothing, and two with one name would blur which one broke.
 */
class RuntimeFaultTest {

    static final List<Class<?>> AREAS = List.of(SeqCountFaults.class, DisruptionFaults.class, GenerationFaults.class,
            ConstantFaults.class, ClockDataFaults.class);

    @Test
    void everyFaultOfTheAreasIsInTheTier() {
        List<Class<?>> defined = AREAS.stream().flatMap(a -> Stream.of(a.getDeclaredClasses()))
                .filter(c -> RuntimeFault.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())).toList();
        List<Class<?>> used = FaultInjectionTest.allFaults().map(Fault::decorator)
                .filter(RuntimeFault.class::isInstance).<Class<?>>map(Object::getClass).distinct().toList();
        assertThat(defined).hasSizeGreaterThan(15);
        assertThat(used).containsExactlyInAnyOrderElementsOf(defined);
    }

    @Test
    void everyFaultHasItsOwnName() {
        Map<String, Set<Class<?>>> byName = FaultInjectionTest.allFaults().map(Fault::decorator)
                .filter(RuntimeFault.class::isInstance).map(RuntimeFault.class::cast)
                .collect(Collectors.groupingBy(RuntimeFault::name, Collectors.mapping(Object::getClass, Collectors.toSet())));
        assertThat(byName).allSatisfy((name, classes) -> assertThat(classes).as(name).hasSize(1));
    }
}
