package dev.vmclock.conformance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.clock.ReferenceClock;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetDecorator;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import dev.vmclock.images.PtpVmclockModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The clauses that judge the guest's driver prove they can fail: the whole suite runs (as the CLI does) on stock
 * QEMU with a guest whose ptp_vmclock.ko is a deliberately broken build of the same kernel's driver
 * ({@link PtpVmclockModule#BROKEN}: linux-source's {@code ptp_vmclock.c} plus one patch per defect), given to the
 * suite as a user's kernel and initramfs. One image carries every defect, each off until QEMU names it in the
 * SMBIOS OEM string the module reads at probe, so each run below boots the same image with one defect on (two
 * pages need a second run of a defect, since what the driver does depends on the page; the defects in what the
 * driver does with clock data run with the reference writer's good clock) and asserts that exactly
 * the clauses of that defect FAIL, plus what stock QEMU 10.0 fails anyway, and that nothing ERRORs.
 */
@Tag(FaultInjectionTest.FULL_TIER)
@ExtendWith(GuestSlots.class)
@ExtendWith(Shards.class)
class VmclockGuestDriverFaultTest {

    private static final Path PAGES = pagesDir();

    /**
     * Defects (patch names) of the broken module turned on together, on a page (stock QEMU's unless a page fault is
     * added). Defects share a run only when they change different code paths that different checks exercise, so
     * every FAIL is still attributable to one defect.
     */
    record GuestFault(String name, List<String> defects, Fault page, Optional<ReferenceClock> clock,
                      Set<String> expectedFailures) {

        @Override
        public String toString() {
            return name;
        }

        TargetOptions options(GuestImage broken) {
            return page.options().with(b -> {
                clock.ifPresent(b::clock);
                b.guest(broken.kernel(), broken.initramfs());
                b.qemuArgs(List.of("-smbios", PtpVmclockModule.smbiosArgument(defects.toArray(String[]::new))));
            });
        }
    }

    private static GuestFault onStockPage(String name, List<String> defects, String... fails) {
        return onPage(name, defects, STOCK_PAGE, fails);
    }

    private static GuestFault onPage(String name, List<String> defects, Fault page, String... fails) {
        Set<String> expected = new TreeSet<>(page.expectedFailures());
        expected.addAll(Set.of(fails));
        return new GuestFault(name, defects, page, Optional.empty(), expected);
    }

    /** Stock QEMU's page: the deviations it has are {@link Fault#STOCK_DEVIATIONS}. */
    private static final Fault STOCK_PAGE = new Fault("stock page", Fault.STOCK, TargetDecorator.NONE,
            Fault.STOCK_DEVIATIONS);

    static Stream<GuestFault> faults() {
        String only = System.getProperty("vmclock.faults", "");
        return allFaults().filter(f -> f.name().contains(only));
    }

    static Stream<GuestFault> allFaults() {
        Set<String> stock = Fault.STOCK_DEVIATIONS;
        return Stream.of(
                // Four defects in disjoint code paths, each judged by its own checks: read() copies once whatever
                // seq_count says (SEQ-08, DRIVER-06: it returns at once while seq_count is odd); read() at the page's
                // end wraps to its start (DRIVER-05); writable and upgradable mappings (DRIVER-08); a PTP clock
                // registered for QEMU's INVALID counter (DRIVER-11).
                onStockPage("driver read(), mmap() and PTP registration broken",
                        List.of("ignore-seq-count", "read-wraps", "writable-mmap", "ptp-always"),
                        "VMC-SEQ-08", "VMC-DRIVER-06", "VMC-DRIVER-05", "VMC-DRIVER-08", "VMC-DRIVER-11"),
                // NOTIFY-01 (MAY) requires POLLHUP exactly when the flag is clear: the same answer fails it.
                onStockPage("driver poll() reports nothing", List.of("no-poll-events"), "VMC-DRIVER-09", "VMC-NOTIFY-01"),
                onPage("driver poll() reports nothing, notification flag set", List.of("no-poll-events"),
                        Fault.page(PAGES, "notification flag", p -> PageField.FLAGS.write(p, Flag.NOTIFICATION_PRESENT.mask()),
                                stock, "VMC-NOTIFY-03", "VMC-NOTIFY-05"),
                        "VMC-DRIVER-10"),
                onStockPage("driver mmap() shows a copy taken at probe", List.of("stale-mmap"), "VMC-DRIVER-07"),
                // The driver binds (DRIVER-01 passes, unlike with the stock driver on this page).
                onPage("driver accepts a wrong magic", List.of("accept-bad-header"),
                        Fault.page(PAGES, "wrong magic", p -> PageField.MAGIC.write(p, 0x4b4c4357L), stock,
                                "VMC-LAYOUT-01", "VMC-ACPI-09"),
                        "VMC-DRIVER-02"),
                onPage("driver accepts a size beyond the region and version 2", List.of("accept-bad-header"),
                        Fault.page(PAGES, "size 0x2000 and version 2", p -> {
                            PageField.SIZE.write(p, 0x2000);
                            PageField.VERSION.write(p, 2);
                        }, stock, "VMC-LAYOUT-03", "VMC-LAYOUT-06"),
                        "VMC-DRIVER-03", "VMC-DRIVER-04"),
                // The reference writer publishes a TAI clock with tai_offset_sec -37 (so no FLAGS-03, TAI-03);
                // DRIVER-12 republishes it as UTC, and LEAP-03 judges the guest's TAI from a UTC page across a leap.
                withReferenceClock("driver adds tai_offset_sec to UTC", List.of("tai-offset-added"),
                        "VMC-DRIVER-12", "VMC-LEAP-03"),
                // TAI-02 republishes the clock as UTC with TAI_OFFSET_VALID clear and a garbage offset: the stock
                // driver refuses to read, this one serves UTC minus the garbage.
                withReferenceClock("driver uses tai_offset_sec without TAI_OFFSET_VALID", List.of("tai-offset-unflagged"),
                        "VMC-TAI-02"),
                // ERR-01 republishes the clock with the error VALID flags clear and garbage (all ones) in the
                // error fields: this driver refuses to read because time_maxerror_nanosec exceeds a second.
                withReferenceClock("driver uses time_maxerror_nanosec without its VALID flag",
                        List.of("error-fields-unflagged"), "VMC-ERR-01"));
    }

    /** The reference writer's correct clock on stock QEMU: what that fails anyway, plus {@code fails}. */
    private static GuestFault withReferenceClock(String name, List<String> defects, String... fails) {
        Set<String> expected = new TreeSet<>(Fault.CLOCK_STOCK_DEVIATIONS);
        expected.addAll(Set.of(fails));
        return new GuestFault(name, defects, STOCK_PAGE, Optional.of(ReferenceClock.GOOD), expected);
    }

    /** Fault name -> the exact FAIL set of its run (the whole suite). */
    static Map<String, Set<String>> expectedFailSets() {
        return allFaults().collect(Collectors.toMap(GuestFault::name, GuestFault::expectedFailures, (a, b) -> a,
                LinkedHashMap::new));
    }

    /**
     * As many runs at a time as the machine has cores ({@link GuestSlots}), like FaultInjectionTest's. (Two at once
     * once missed GuestSession.BOOT_TIMEOUT, at a load of 13-30 from other work beside them, with slower boots.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    @Execution(ExecutionMode.CONCURRENT)
    void brokenGuestDriverFailsExactlyItsClauses(GuestFault fault) {
        GuestImage broken = new GuestImageBuilder().withPtpVmclock(PtpVmclockModule.BROKEN).ensureBuilt();
        SuiteRun run = SuiteRunner.run(fault.options(broken), Set.of(), o -> { });
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs under '%s': %s", fault, describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs under '%s': %s", fault, describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(fault.expectedFailures());
    }

    private static String describe(SuiteRun run, Verdict v) {
        return run.clauses().stream().filter(c -> c.verdict() == v)
                .map(c -> c.clause().id() + " (" + c.reason().replaceAll("\\s+", " ") + ")").collect(Collectors.joining("; "));
    }

    private static Path pagesDir() {
        try {
            return Files.createTempDirectory("vmclock-guest-fault-pages");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
