package dev.vmclock.conformance.faults;

import dev.vmclock.conformance.clock.ReferenceClock;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.TargetDecorator;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.page.PageField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A deliberately broken implementation: stock QEMU plus one fault, and the clauses that must then FAIL.
 * Static faults replace the page at reset (QEMU's generic loader) or change QEMU's options; run-time
 * faults are decorators of the target ({@link RuntimeFault}), injected through the qtest socket.
 *
 * @param options   the implementation's options (stock QEMU's, changed by a static fault)
 * @param decorator what wraps the target ({@link TargetDecorator#NONE} for a static fault)
 */
record Fault(String name, TargetOptions options, TargetDecorator decorator, Set<String> expectedFailures) {

    /** Stock QEMU from PATH, as a run given no options finds it. */
    static final TargetOptions STOCK = TargetOptions.defaults();

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

    static Fault runtime(String name, RuntimeFault fault, String... fails) {
        return decorated(name, STOCK, fault, withStock(fails));
    }

    /** A run-time fault writes the page as the device: the target must offer the writer, under KVM too. */
    private static Fault decorated(String name, TargetOptions options, RuntimeFault fault, Set<String> fails) {
        return new Fault(name, options.with(b -> b.hypervisorWriter(true)), fault, fails);
    }

    /** A static fault: options only. */
    private static Fault of(String name, TargetOptions options, Set<String> fails) {
        return new Fault(name, options, TargetDecorator.NONE, fails);
    }

    /**
     * What stock QEMU fails with the reference clock publishing correct data: the markers repeated across
     * branches (the clock brings a TAI offset, so FLAGS-03 and TAI-03 hold).
     */
    static final Set<String> CLOCK_STOCK_DEVIATIONS = Set.of("VMC-DISRUPT-05");

    /** The reference clock (correct data) with a run-time fault on top of what it publishes. */
    static Fault clock(String name, RuntimeFault fault, String... fails) {
        Set<String> s = new TreeSet<>(CLOCK_STOCK_DEVIATIONS);
        s.addAll(Set.of(fails));
        return decorated(name, STOCK.with(b -> b.clock(ReferenceClock.GOOD)), fault, s);
    }

    static Fault qemuArgs(String name, List<String> args, String... fails) {
        return of(name, STOCK.with(b -> b.qemuArgs(args)), withStock(fails));
    }

    /** Stock QEMU with one more ACPI table, which QEMU appends after its own (a file in {@code dir}). */
    static Fault acpiTable(Path dir, String name, IdentityOverride table, String... fails) {
        return qemuArgs(name, List.of("-acpitable", "file=" + table.write(dir)), fails);
    }

    static Fault machine(String name, String machineType, String... fails) {
        return of(name, STOCK.with(b -> b.machine(machineType)), withStock(fails));
    }

    static Fault noDevice(String... fails) {
        return of("no vmclock device", STOCK.with(b -> b.vmclock(false)), Set.of(fails));
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
        Set<String> expected = new TreeSet<>(stock);
        expected.addAll(Set.of(fails));
        return of(name, STOCK.with(b -> b.pageOverride(file)), expected);
    }

    /** This fault's page plus a run-time fault on top of it. */
    Fault withRuntime(RuntimeFault runtimeFault, String name, String... fails) {
        return decorated(name, options, runtimeFault, withStock(fails));
    }

    /**
     * What stock QEMU fails when the suite reads the page in the guest (run --without HOST_MEMORY): VMC-DISRUPT-05's
     * FAILing check is on clones restored beside the target, seen from the host only; the older snapshot load, judged
     * from the guest's pages, gives a distinct marker.
     */
    static final Set<String> GUEST_STOCK_DEVIATIONS = Set.of("VMC-FLAGS-03", "VMC-TAI-03");

    /**
     * This implementation judged with the host's view of guest memory hidden ({@code --without HOST_MEMORY}), so the
     * suite reads the page in the guest; the fault itself still reaches the real target (it sits inside what
     * {@code --without} hides, as the hypervisor's writer does). {@code stock} and {@code fails}: what must FAIL then.
     */
    Fault seenFromTheGuest(Set<String> stock, String... fails) {
        Set<String> expected = new TreeSet<>(stock);
        expected.addAll(Set.of(fails));
        return new Fault(name + ", page read in the guest",
                options.with(b -> b.without(Set.of(Capability.HOST_MEMORY))), decorator, expected);
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
