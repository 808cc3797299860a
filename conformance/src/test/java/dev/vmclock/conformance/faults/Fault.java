package dev.vmclock.conformance.faults;

import dev.vmclock.harness.page.PageField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A deliberately broken implementation: stock QEMU plus one fault, and the clauses that must then FAIL.
 * Static faults replace the page at reset (QEMU's generic loader) or change QEMU's options; run-time
 * faults are decorators of the target (RuntimeFaults), injected through the qtest socket.
 */
record Fault(String name, Map<String, String> config, Set<String> expectedFailures) {

    /**
     * What stock QEMU 10.0.x fails under UAPI.13 v1.1 (SHOULD level only): no TAI offset (so no -37 to
     * judge), and markers repeated across branches (sibling restores, an older snapshot; Errata 3). Along
     * one timeline its markers never repeat (VMC-DISRUPT-09 passes).
     */
    static final Set<String> STOCK_DEVIATIONS = Set.of("VMC-FLAGS-03", "VMC-TAI-03", "VMC-DISRUPT-05");

    @Override
    public String toString() {
        return name;
    }

    static Fault runtime(String name, String fault, String... fails) {
        return new Fault(name, Map.of("vmclock.fault", fault), withStock(fails));
    }

    /**
     * What stock QEMU fails with the reference clock publishing correct data: the markers repeated across
     * branches (the clock brings a TAI offset, so FLAGS-03 and TAI-03 hold).
     */
    static final Set<String> CLOCK_STOCK_DEVIATIONS = Set.of("VMC-DISRUPT-05");

    /** The reference clock (correct data) with a run-time fault on top of what it publishes. */
    static Fault clock(String name, String fault, String... fails) {
        Set<String> s = new TreeSet<>(CLOCK_STOCK_DEVIATIONS);
        s.addAll(Set.of(fails));
        return new Fault(name, Map.of("vmclock.clock", "good", "vmclock.fault", fault), s);
    }

    static Fault qemuArgs(String name, String args, String... fails) {
        return new Fault(name, Map.of("vmclock.qemuArgs", args), withStock(fails));
    }

    /** Stock QEMU with one more ACPI table, which QEMU appends after its own (a file in {@code dir}). */
    static Fault acpiTable(Path dir, String name, IdentityOverride table, String... fails) {
        return qemuArgs(name, "-acpitable file=" + table.write(dir), fails);
    }

    static Fault machine(String name, String machineType, String... fails) {
        return new Fault(name, Map.of("vmclock.machine", machineType), withStock(fails));
    }

    static Fault noDevice(String... fails) {
        return new Fault("no vmclock device", Map.of("vmclock.device", "false"), Set.of(fails));
    }

    /** A fault written into the page QEMU presents at boot; {@code stock} says which stock deviations remain. */
    static Fault page(Path dir, String name, Consumer<byte[]> edit, Set<String> stock, String... fails) {
        byte[] page = stockPage();
        edit.accept(page);
        Path file = dir.resolve(name.replaceAll("[^a-z0-9]+", "-") + ".bin");
        try {
            Files.write(file, page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("vmclock.pageOverride", file.toString());
        Set<String> expected = new TreeSet<>(stock);
        expected.addAll(Set.of(fails));
        return new Fault(name, config, expected);
    }

    /** This fault's page plus a run-time fault on top of it. */
    Fault withRuntime(String runtimeFault, String name, String... fails) {
        Map<String, String> c = new LinkedHashMap<>(config);
        c.put("vmclock.fault", runtimeFault);
        return new Fault(name, c, withStock(fails));
    }

    private static Set<String> withStock(String... fails) {
        Set<String> s = new TreeSet<>(STOCK_DEVIATIONS);
        s.addAll(Set.of(fails));
        return s;
    }

    /** The page QEMU 10.0.x presents at boot (FACTS.md): the base every page fault edits. */
    static byte[] stockPage() {
        byte[] p = new byte[4096];
        PageField.MAGIC.write(p, 0x4b4c4356L);
        PageField.SIZE.write(p, 4096);
        PageField.VERSION.write(p, 1);
        PageField.COUNTER_ID.write(p, 0xff);
        PageField.SEQ_COUNT.write(p, 2);
        PageField.DISRUPTION_MARKER.write(p, 1);
        return p;
    }
}
