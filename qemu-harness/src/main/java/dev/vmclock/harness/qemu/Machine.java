package dev.vmclock.harness.qemu;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.events.HopRefusedException;
import dev.vmclock.harness.events.LifecycleEvent;
import dev.vmclock.harness.events.MigrationTransport;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Waits;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.PmemsaveMemory;
import dev.vmclock.harness.memory.RamFileMemory;
import dev.vmclock.harness.memory.RamLayout;
import dev.vmclock.harness.memory.QtestMemory;
import dev.vmclock.harness.page.HypervisorWriter;
import dev.vmclock.harness.page.HostPageReader;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.PageLocator;
import dev.vmclock.harness.page.SeqlockRead;
import dev.vmclock.harness.qmp.QmpClient;
import dev.vmclock.harness.qmp.QmpErrorException;
import dev.vmclock.harness.qmp.QmpEvent;
import dev.vmclock.harness.qmp.QmpEvents;
import dev.vmclock.harness.qmp.QmpTranscript;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The virtual machine under test, as the guest experiences it: one machine that may move between QEMU
 * processes (live migration, restore from a file) while keeping its identity. Events are methods
 * here; each returns an {@link EventResult}. The host view of the VMClock page follows the machine to
 * whichever QEMU currently runs it.
 *
 * <p>Snapshots live in a qcow2 image in the machine's own directory, shared by every QEMU the machine
 * runs in (as shared storage would be across hosts).
 *
 * <p>Cross-version hops ({@link #hopsTo}): every event that starts a new QEMU process (live migration, restore
 * from a file, loading a snapshot) starts it from the destination binary, so the state one QEMU version wrote is
 * loaded by another. The run directories, state files and snapshot image are host paths that a container QEMU
 * sees bind-mounted at the same place ({@link dev.vmclock.harness.qemu.QemuContainer}), so local and container
 * QEMUs mix. Sibling restores ({@link #restore}) stay on the binary they are given.
 */
public final class Machine implements AutoCloseable {

    public static final Duration EVENT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LOCATE_TIMEOUT = Duration.ofSeconds(10);
    /** migrate-incoming's exit-on-error (9.1): a destination that fails to load stays up to say why. */
    private static final QemuVersion FIRST_WITH_EXIT_ON_ERROR = new QemuVersion(9, 1, 0);

    private final QemuBinary binary;
    private QemuBinary destination;
    private final MachineSpec spec;
    private final RunDirectory home;
    private final List<QmpTranscript> transcripts = new ArrayList<>();
    private QemuVm vm;
    private HostPageReader reader;
    private PmemsaveMemory memory;
    private QtestMemory qtest;
    private RamFileMemory ramFileMemory;
    private PageLocation location;
    private int files;

    private Machine(QemuBinary binary, MachineSpec spec, RunDirectory home, QemuVm vm, PageLocation location) {
        this.binary = binary;
        this.spec = spec;
        this.home = home;
        this.location = location;
        attach(vm);
    }

    /** Starts a machine: creates its snapshot image, starts QEMU, locates the page once firmware has run. */
    public static Machine start(QemuBinary binary, MachineSpec template) {
        RunDirectory home = RunDirectory.create("machine");
        MachineSpec spec = withSnapshotDisk(template, home);
        QemuVm vm = startVm(binary, spec, home);
        return new Machine(binary, spec, home, vm, null);
    }

    /** A fresh machine restored from a state file (a sibling of every other restore of that file). */
    public static Machine restore(QemuBinary binary, MachineSpec template, Path stateFile) {
        RunDirectory home = RunDirectory.create("machine");
        MachineSpec spec = withSnapshotDisk(template, home);
        Machine m = new Machine(binary, spec, home, startVm(binary, spec.asMigrationTarget(spec.snapshotDisk().get()), home),
                null);
        m.incoming("file:" + stateFile, EVENT_TIMEOUT);
        return m;
    }

    private static QemuVm startVm(QemuBinary binary, MachineSpec spec, RunDirectory home) {
        try {
            return QemuVm.start(binary, spec);
        } catch (RuntimeException e) {
            home.keep();
            throw e;
        }
    }

    /** The snapshot image lives in the machine's own directory; QemuVm creates it on first start. */
    private static MachineSpec withSnapshotDisk(MachineSpec template, RunDirectory home) {
        return template.toBuilder().snapshotDisk(home.resolve(MachineSpec.DEFAULT_SNAPSHOT_DISK)).build();
    }

    private void attach(QemuVm next) {
        this.vm = next;
        this.transcripts.add(next.qmp().transcript());
        this.reader = null;
        this.memory = null;
        if (qtest != null) {
            qtest.close();
            qtest = null;
        }
        closeRamFile();
    }

    private void closeRamFile() {
        if (ramFileMemory != null) {
            ramFileMemory.close();
            ramFileMemory = null;
        }
    }

    /**
     * The hypervisor's side of the page, through the qtest socket of the QEMU running the machine now
     * (the machine must have been started with {@link MachineSpec#qtest()}).
     */
    public HypervisorWriter hypervisor() {
        return hypervisorAt(pageLocation());
    }

    /** Guest-physical memory of the QEMU running the machine now, as the host reads it (QMP pmemsave). */
    public PmemsaveMemory hostMemory() {
        if (memory == null) {
            memory = new PmemsaveMemory(vm.qmp(), vm.runDirectory().path());
        }
        return memory;
    }

    /**
     * The file holding the guest RAM of the QEMU running the machine now ({@link MachineSpec#ramFile()}): every QEMU
     * the machine moves to has its own, so the path changes with live migration and restores.
     */
    public Optional<Path> ramFile() {
        return spec.ramFile() ? Optional.of(vm.runDirectory().resolve(MachineSpec.RAM_FILE)) : Optional.empty();
    }

    /**
     * Guest-physical memory read from the RAM file, without QMP. Each read goes to the file of the QEMU running the
     * machine at that moment, so a view taken before an event reads the new QEMU's RAM after it. RAM only: device
     * memory (QEMU's VMClock page is its own RAM region at 0xfeffb000, not in the backend) throws
     * {@link dev.vmclock.harness.memory.NotInRamException}.
     */
    public PhysicalMemory ramFileMemory() {
        if (!spec.ramFile()) {
            throw new IllegalStateException("the machine's RAM is not in a file: start it with MachineSpec ramFile(true)");
        }
        RamLayout layout = RamLayout.ofQemuMachine(spec.machineType(), (long) spec.memoryMib() << 20);
        return (address, length) -> {
            if (ramFileMemory == null) {
                ramFileMemory = new RamFileMemory(ramFile().orElseThrow(), layout);
            }
            return ramFileMemory.read(address, length);
        };
    }

    /** Guest-physical memory of the QEMU running the machine now, through its qtest socket (read and write). */
    public QtestMemory qtestMemory() {
        if (qtest == null) {
            qtest = QtestMemory.connect(vm.runDirectory().resolve("qtest.sock"));
        }
        return qtest;
    }

    /** The writer for a page at a known place: before the firmware has run there are no tables to find it in. */
    public HypervisorWriter hypervisorAt(PageLocation where) {
        return new HypervisorWriter(qtestMemory(), where);
    }

    public QemuVm vm() {
        return vm;
    }

    /**
     * From now on, every event that starts a new QEMU process starts it from {@code to}: a cross-version hop
     * from the binary the machine started on. The machine type must be a versioned one both know.
     */
    public void hopsTo(QemuBinary to) {
        this.destination = to;
    }

    /** The binary the machine started on (the source of every hop). */
    public QemuBinary source() {
        return binary;
    }

    /** True while the machine runs on the hop's destination. */
    public boolean onDestination() {
        return destination != null && vm.binary() == destination;
    }

    /** The binary an event's new process starts from: the hop's destination, else the machine's own. */
    private QemuBinary next() {
        return destination != null ? destination : binary;
    }

    /**
     * Takes the machine back to the source binary by live migration when it runs on the destination, so that
     * the next event hops from source to destination again. A harness step, not an event under test: its
     * result says so.
     */
    public Optional<EventResult> returnToSource() {
        if (!onDestination()) {
            return Optional.empty();
        }
        EventResult r = migrateTo(MigrationTransport.UNIX, binary);
        return Optional.of(new EventResult(r.event(), r.elapsed(), "return hop, a harness step and not the event"
                + " under test: " + r.how(), r.transcript()));
    }

    public MachineSpec spec() {
        return spec;
    }

    public QmpClient qmp() {
        return vm.qmp();
    }

    public RunDirectory home() {
        return home;
    }

    /** Where the page is; found from ACPI the first time it is asked for, then kept (it is constant). */
    public PageLocation pageLocation() {
        if (location == null) {
            location = PageLocator.locate(hostMemory(), LOCATE_TIMEOUT);
        }
        return location;
    }

    /** The page as the host sees it now, read under the seq_count protocol. */
    public SeqlockRead readPage() {
        return hostReader().read();
    }

    public HostPageReader hostReader() {
        if (reader == null) {
            reader = new HostPageReader(hostMemory(), pageLocation());
        }
        return reader;
    }

    /** Every QMP line of every QEMU this machine has run in, oldest first. */
    public List<QmpTranscript> transcripts() {
        return List.copyOf(transcripts);
    }

    // ---------------------------------------------------------------- events

    public EventResult pause() {
        return timed(LifecycleEvent.PAUSE, "QMP stop", () -> {
            QmpEvents.Cursor c = qmp().events().cursor();
            qmp().execute("stop");
            c.await("STOP", EVENT_TIMEOUT);
        });
    }

    public EventResult resume() {
        return timed(LifecycleEvent.RESUME, "QMP cont", () -> {
            QmpEvents.Cursor c = qmp().events().cursor();
            qmp().execute("cont");
            c.await("RESUME", EVENT_TIMEOUT);
        });
    }

    public EventResult systemReset() {
        return timed(LifecycleEvent.SYSTEM_RESET, "QMP system_reset", () -> {
            QmpEvents.Cursor c = qmp().events().cursor();
            qmp().execute("system_reset");
            c.await("RESET", EVENT_TIMEOUT);
        });
    }

    public EventResult saveSnapshot(String tag) {
        return snapshotJob(LifecycleEvent.SNAPSHOT_SAVE, "snapshot-save", "savevm", tag);
    }

    /** loadvm of {@code tag}: in place, or in a new process of the hop's destination ({@link #hopsTo}). */
    public EventResult loadSnapshot(String tag) {
        if (destination != null) {
            return loadSnapshotOnDestination(tag);
        }
        return snapshotJob(LifecycleEvent.SNAPSHOT_LOAD, "snapshot-load", "loadvm", tag);
    }

    public EventResult deleteSnapshot(String tag) {
        return snapshotJob(LifecycleEvent.SNAPSHOT_DELETE, "snapshot-delete", "delvm", tag);
    }

    /**
     * Snapshot operations as QMP jobs where this QEMU has them (6.0+), HMP otherwise. The job reports its
     * outcome through JOB_STATUS_CHANGE; an aborted job's error comes from query-jobs.
     */
    private EventResult snapshotJob(LifecycleEvent event, String qmpCommand, String hmpCommand, String tag) {
        if (!hasCommand(qmpCommand)) {
            return timed(event, "HMP " + hmpCommand, () -> {
                String out = qmp().hmp(hmpCommand + " " + tag, EVENT_TIMEOUT).strip();
                if (!out.isEmpty()) {
                    throw new HarnessException(ExitCode.HARNESS_ERROR, hmpCommand + " " + tag + ": " + out);
                }
            });
        }
        String jobId = event.name().toLowerCase() + "-" + tag + "-" + System.nanoTime();
        Map<String, Object> args = event == LifecycleEvent.SNAPSHOT_DELETE
                ? Map.of("job-id", jobId, "tag", tag, "devices", List.of(MachineSpec.SNAPSHOT_NODE))
                : Map.of("job-id", jobId, "tag", tag, "vmstate", MachineSpec.SNAPSHOT_NODE,
                        "devices", List.of(MachineSpec.SNAPSHOT_NODE));
        return timed(event, "QMP " + qmpCommand + " job", () -> {
            QmpEvents.Cursor c = qmp().events().cursor();
            qmp().execute(qmpCommand, args);
            c.await("JOB_STATUS_CHANGE", e -> e.dataText("id").equals(jobId) && e.dataText("status").equals("concluded"),
                    EVENT_TIMEOUT);
            String error = "";
            for (JsonNode job : qmp().execute("query-jobs")) {
                if (job.path("id").asText().equals(jobId)) {
                    error = job.path("error").asText("");
                }
            }
            qmp().execute("job-dismiss", Map.of("id", jobId));
            if (!error.isEmpty()) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, qmpCommand + " " + tag + " failed: " + error);
            }
        });
    }

    /** Live migration to a second QEMU started with {@code -incoming defer}; the machine then lives there. */
    public EventResult liveMigrate(MigrationTransport transport) {
        return migrateTo(transport, next());
    }

    private EventResult migrateTo(MigrationTransport transport, QemuBinary to) {
        long t0 = System.nanoTime();
        int mark = qmp().transcript().size();
        QemuVm source = vm;
        QemuVm target = startNext(LifecycleEvent.LIVE_MIGRATION, to, spec.asMigrationTarget(spec.snapshotDisk().get()));
        try {
            String uri = switch (transport) {
                case UNIX -> "unix:" + target.runDirectory().resolve("migration.sock");
                case TCP -> "tcp:127.0.0.1:" + freeLoopbackPort();
            };
            enableMigrationEvents(source.qmp());
            enableMigrationEvents(target.qmp());
            QmpEvents.Cursor targetEvents = target.qmp().events().cursor();
            target.qmp().execute("migrate-incoming", incomingArgs(target, uri));
            try {
                migrateAndAwait(source.qmp(), uri);
                QmpEvent done = targetEvents.await("MIGRATION", e -> e.dataText("status").matches("completed|failed"),
                        EVENT_TIMEOUT);
                if (done.dataText("status").equals("failed")) {
                    throw new HarnessException(ExitCode.HARNESS_ERROR, "incoming migration failed");
                }
            } catch (HarnessException e) {
                if (to != source.binary()) {
                    // The source is still the machine: a migration the destination failed to load may have
                    // completed on the source's side (postmigrate), so it is resumed.
                    if (!source.runState().equals("running")) {
                        source.qmp().execute("cont");
                    }
                    awaitRunState(source, "running");
                    throw refused(LifecycleEvent.LIVE_MIGRATION, source.binary(), target, e);
                }
                throw e;
            }
            awaitRunState(target, "running");
        } catch (RuntimeException e) {
            target.keepEvidence();
            target.close();
            throw e;
        }
        List<QmpTranscript.Entry> lines = source.qmp().transcript().since(mark);
        attach(target);
        source.close();
        return new EventResult(LifecycleEvent.LIVE_MIGRATION, Duration.ofNanos(System.nanoTime() - t0),
                "QMP migrate over " + transport.name().toLowerCase() + " to a second QEMU" + hop(source.binary(), to), QmpTranscript.asLines(lines));
    }

    /**
     * Saves the whole machine state to {@code file} (QMP migrate to a {@code file:} URI). The source QEMU
     * stops, as a VM suspended to disk does; restore with {@link #restoreFromFile} or {@link #restore}.
     */
    public EventResult saveToFile(Path file) {
        return timed(LifecycleEvent.SAVE_TO_FILE, "QMP migrate to file:" + file, () -> {
            enableMigrationEvents(qmp());
            migrateAndAwait(qmp(), "file:" + file);
            // MIGRATION "completed" can arrive while the source is still in finish-migrate (seen in CI).
            awaitRunState(vm, "postmigrate");
        });
    }

    /** A fresh file name in the machine's directory for {@link #saveToFile}. */
    public Path newStateFile() {
        return home.resolve("state-" + (++files) + ".bin");
    }

    /**
     * Restores this machine from {@code file} into a fresh QEMU (the hop's destination, if any), replacing the
     * one it ran in. A destination that refuses the state leaves the machine restored from the same file on
     * the source, and the refusal is thrown with QEMU's words.
     */
    public EventResult restoreFromFile(Path file) {
        long t0 = System.nanoTime();
        QemuVm old = vm;
        QemuBinary to = next();
        QemuVm target;
        try {
            target = startNext(LifecycleEvent.RESTORE_FROM_FILE, to, spec.asMigrationTarget(spec.snapshotDisk().get()));
        } catch (HopRefusedException e) {
            attach(QemuVm.start(binary, spec.asMigrationTarget(spec.snapshotDisk().get())));
            old.close();
            incoming("file:" + file, EVENT_TIMEOUT);
            throw e;
        }
        attach(target);
        old.close();
        int mark = qmp().transcript().size();
        try {
            incoming("file:" + file, EVENT_TIMEOUT);
        } catch (HarnessException e) {
            if (to == binary) {
                throw e;
            }
            HopRefusedException refusal = refused(LifecycleEvent.RESTORE_FROM_FILE, binary, target, e);
            attach(QemuVm.start(binary, spec.asMigrationTarget(spec.snapshotDisk().get())));
            target.close();
            incoming("file:" + file, EVENT_TIMEOUT);
            throw refusal;
        }
        return new EventResult(LifecycleEvent.RESTORE_FROM_FILE, Duration.ofNanos(System.nanoTime() - t0),
                "fresh QEMU, QMP migrate-incoming file:" + file + hop(binary, to), QmpTranscript.asLines(qmp().transcript().since(mark)));
    }

    /**
     * Loads snapshot {@code tag} in a new process of the hop's destination: the running QEMU quits (releasing
     * the image), the destination starts paused on the same snapshot image and loads the tag. A refusal
     * loads the tag on the source again and is thrown with QEMU's words.
     */
    private EventResult loadSnapshotOnDestination(String tag) {
        long t0 = System.nanoTime();
        QemuBinary from = vm.binary();
        MachineSpec paused = spec.toBuilder().startPaused(true).incoming(false).build();
        vm.close();
        QemuVm target;
        try {
            target = startNext(LifecycleEvent.SNAPSHOT_LOAD, destination, paused);
        } catch (HopRefusedException e) {
            attach(QemuVm.start(binary, paused));
            loadAndContinue(tag);
            throw e;
        }
        attach(target);
        int mark = qmp().transcript().size();
        try {
            loadAndContinue(tag);
        } catch (HarnessException e) {
            HopRefusedException refusal = refused(LifecycleEvent.SNAPSHOT_LOAD, from, target, e);
            target.close(); // first: it holds the snapshot image's lock
            attach(QemuVm.start(binary, paused));
            loadAndContinue(tag);
            throw refusal;
        }
        return new EventResult(LifecycleEvent.SNAPSHOT_LOAD, Duration.ofNanos(System.nanoTime() - t0),
                "the QEMU quit, a fresh one started paused on the same snapshot image, QMP snapshot-load " + tag
                        + hop(from, destination), QmpTranscript.asLines(qmp().transcript().since(mark)));
    }

    private void loadAndContinue(String tag) {
        snapshotJob(LifecycleEvent.SNAPSHOT_LOAD, "snapshot-load", "loadvm", tag);
        qmp().execute("cont");
        awaitRunState(vm, "running");
    }

    /** Starts the next process of an event; a hop destination that will not start has refused the hop. */
    private QemuVm startNext(LifecycleEvent event, QemuBinary to, MachineSpec next) {
        try {
            return QemuVm.start(to, next);
        } catch (HarnessException e) {
            if (to == vm.binary()) {
                throw e;
            }
            throw new HopRefusedException(event, hopName(vm.binary(), to),
                    e.getMessage().replaceFirst("^QEMU failed to start: ", ""), "");
        }
    }

    /**
     * The refusal in QEMU's own words: the lines the destination printed on stderr (error_report's
     * "qemu-system-x86_64: ..."), else its query-migrate error-desc, else what the harness saw.
     */
    private HopRefusedException refused(LifecycleEvent event, QemuBinary from, QemuVm target, HarnessException seen) {
        target.keepEvidence();
        String desc = "";
        if (target.isAlive()) {
            try {
                desc = target.qmp().execute("query-migrate").path("error-desc").asText("");
            } catch (RuntimeException e) {
                // gone meanwhile: its stderr says why
            }
        }
        // QEMU may still be writing its last lines (or exiting): give it a moment.
        Waits.poll(Duration.ofSeconds(2), Duration.ofMillis(50), () -> qemuErrorLines(target), l -> !l.isEmpty());
        List<String> lines = qemuErrorLines(target);
        String says = !lines.isEmpty() ? String.join(" / ", lines) : !desc.isEmpty() ? desc : seen.getMessage();
        if (!lines.isEmpty() && !desc.isEmpty() && !says.contains(desc)) {
            says += " (query-migrate: " + desc + ")";
        }
        return new HopRefusedException(event, hopName(from, target.binary()), says, "destination stderr: "
                + target.stderrLog());
    }

    private static List<String> qemuErrorLines(QemuVm vm) {
        try {
            return Files.readAllLines(vm.stderrLog(), StandardCharsets.ISO_8859_1).stream()
                    .map(String::strip).filter(l -> l.matches("^\\S*qemu-system-[^:]*: .*")).distinct().limit(4).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** " (cross-version hop: ...)" for an event's description, empty when it stayed on one binary. */
    private String hop(QemuBinary from, QemuBinary to) {
        return from == to ? "" : " (cross-version hop: " + hopName(from, to) + ")";
    }

    private String hopName(QemuBinary from, QemuBinary to) {
        return from + " -> " + to + ", machine " + spec.machineType();
    }

    /** migrate-incoming, asking a QEMU that can (9.1+) to stay up after a failed load, so query-migrate can say why. */
    private static Map<String, Object> incomingArgs(QemuVm vm, String uri) {
        return vm.binary().version().compareTo(FIRST_WITH_EXIT_ON_ERROR) >= 0
                ? Map.of("uri", uri, "exit-on-error", false) : Map.of("uri", uri);
    }

    private void incoming(String uri, Duration timeout) {
        enableMigrationEvents(qmp());
        QmpEvents.Cursor c = qmp().events().cursor();
        qmp().execute("migrate-incoming", incomingArgs(vm, uri));
        QmpEvent done = c.await("MIGRATION", e -> e.dataText("status").matches("completed|failed"), timeout);
        if (done.dataText("status").equals("failed")) {
            vm.keepEvidence();
            throw new HarnessException(ExitCode.HARNESS_ERROR, "incoming migration from " + uri + " failed; see "
                    + vm.stderrLog());
        }
        if (!vm.runState().equals("running")) {
            qmp().execute("cont");
        }
        awaitRunState(vm, "running");
    }

    private static void enableMigrationEvents(QmpClient qmp) {
        qmp.execute("migrate-set-capabilities",
                Map.of("capabilities", List.of(Map.of("capability", "events", "state", true))));
    }

    /**
     * Bytes per second a migration may use: unlimited in effect. QEMU's default (128 MiB/s) made the stream of a
     * booted guest's used memory take about 500 ms over a local socket or into a file, twice what the copy
     * itself needs (measured here); the device's behaviour does not depend on the rate.
     */
    static final long MIGRATION_BANDWIDTH = 64L << 30;

    private static void migrateAndAwait(QmpClient source, String uri) {
        source.execute("migrate-set-parameters", Map.of("max-bandwidth", MIGRATION_BANDWIDTH));
        QmpEvents.Cursor c = source.events().cursor();
        source.execute("migrate", Map.of("uri", uri));
        QmpEvent done = c.await("MIGRATION", e -> e.dataText("status").matches("completed|failed|cancelled"),
                EVENT_TIMEOUT);
        if (!done.dataText("status").equals("completed")) {
            String why = source.execute("query-migrate").path("error-desc").asText(done.dataText("status"));
            throw new HarnessException(ExitCode.HARNESS_ERROR, "migration to " + uri + " failed: " + why);
        }
    }

    private static void awaitRunState(QemuVm vm, String state) {
        // each check is a QMP round trip: no need to hammer QEMU with them
        Waits.await(EVENT_TIMEOUT, Duration.ofMillis(2), vm::runState, state::equals, now -> new HarnessException(
                ExitCode.HARNESS_ERROR, "QEMU stayed in run state " + now + ", expected " + state));
    }

    private boolean hasCommand(String name) {
        for (JsonNode c : qmp().execute("query-commands")) {
            if (c.path("name").asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private EventResult timed(LifecycleEvent event, String how, Runnable action) {
        int mark = qmp().transcript().size();
        long t0 = System.nanoTime();
        try {
            action.run();
        } catch (QmpErrorException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, event + " failed: " + e.getMessage(), e);
        }
        return new EventResult(event, Duration.ofNanos(System.nanoTime() - t0), how, QmpTranscript.asLines(qmp().transcript().since(mark)));
    }

    private static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "no free loopback port: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (qtest != null) {
            qtest.close();
        }
        closeRamFile();
        try {
            vm.close();
        } finally {
            home.delete();
        }
    }

}
