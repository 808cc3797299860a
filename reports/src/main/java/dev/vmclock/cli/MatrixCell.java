package dev.vmclock.cli;

import dev.vmclock.report.ReportJson;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One cell of a matrix: {@code run} on one implementation and machine type (and, for a hop cell, {@code --hop-to}
 * the destination), in a child JVM of the same classpath writing its own run directory. stdout goes to
 * {@code DIR/cell.log}, stderr to {@code DIR/cell.err}; the exit code says how it went (0 the gate holds, 1 it
 * fails, anything else: the cell could not run, and the last error line is its cause).
 */
record MatrixCell(String name, MatrixImplementation implementation, String machine,
                  Optional<MatrixImplementation> hopTo, List<String> select, String accel, List<String> gateArgs) {

    /** Ample for a full suite under TCG on a loaded machine; a cell past it is stopped and ERROR. */
    static final Duration TIMEOUT = Duration.ofMinutes(90);
    static final String LOG = "cell.log";
    static final String ERR = "cell.err";
    private static final String PREFIX = "vmclock-conformance: ";
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    /** Cells still running, stopped if this JVM is asked to exit (their QEMUs and containers die with them). */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }), "matrix-cells-stop"));
    }

    enum Status { HOLDS, FAILS, ERROR }

    /**
     * @param qemu  the path or image the cell was given, if it got that far
     * @param where the container image, or {@code local}
     */
    record Outcome(String name, Path dir, Status status, int exitCode, Optional<String> cause, Duration elapsed,
                   Optional<String> qemu, Optional<String> where, String implementation, String machine,
                   Optional<String> hopTo) {
        Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cell", name);
            m.put("dir", dir.toString());
            m.put("implementation", implementation);
            m.put("machine", machine);
            hopTo.ifPresent(h -> m.put("hop_to", h));
            m.put("status", status.name());
            m.put("exit_code", exitCode);
            cause.ifPresent(c -> m.put("cause", c));
            m.put("seconds", elapsed.toMillis() / 1000.0);
            return m;
        }
    }

    List<MatrixImplementation> implementations() {
        List<MatrixImplementation> l = new ArrayList<>(List.of(implementation));
        hopTo.ifPresent(l::add);
        return l;
    }

    /** The cell's name in the merged Allure report when it never ran (a run names its QEMU version instead). */
    String label() {
        return implementation.spec() + hopTo.map(t -> " -> " + t.spec()).orElse("") + ", " + machine + ", " + accel
                + " (cell " + name + ")";
    }

    /** The argv of {@code run} for this cell, after {@code Main}. */
    List<String> runArgs(Path dir, MatrixImplementation.Resolved impl, Optional<MatrixImplementation.Resolved> hop) {
        List<String> args = new ArrayList<>(List.of("run", "--out", dir.toAbsolutePath().toString(), "--machine", machine,
                "--accel", accel));
        args.addAll(gateArgs);
        args.addAll(impl.runArgs());
        if (!select.isEmpty()) {
            args.addAll(List.of("--select", String.join(",", select)));
        }
        hop.ifPresent(h -> args.addAll(List.of("--hop-to", h.hopTarget())));
        return args;
    }

    Outcome notRun(Path dir, String cause) {
        return outcome(dir, Status.ERROR, -1, Optional.of(cause), Duration.ZERO, Optional.empty());
    }

    Outcome run(Path dir, MatrixImplementation.Resolved impl, Optional<MatrixImplementation.Resolved> hop)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            argv.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL")); // dies with this JVM, even after kill -9
        }
        argv.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The JVM options this JVM was started with (./vmclock-conformance's), for a child that runs like it; it may
        // map the launcher's class archive, but only this JVM writes one.
        argv.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:") && !a.startsWith("-XX:ArchiveClassesAtExit")).toList());
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        argv.addAll(runArgs(dir, impl, hop));
        Files.writeString(dir.resolve("cell.argv"), String.join(" ", argv) + "\n");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(argv).redirectOutput(dir.resolve(LOG).toFile())
                .redirectError(dir.resolve(ERR).toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        RUNNING.add(p);
        try {
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor();
                }
                return outcome(dir, Status.ERROR, -1, Optional.of("the cell ran over " + TIMEOUT.toMinutes()
                        + " min and was stopped (log " + dir.resolve(LOG) + ")"), MatrixCommand.since(t0), Optional.of(impl.value()));
            }
        } finally {
            RUNNING.remove(p);
        }
        int code = p.exitValue();
        boolean reported = Files.exists(dir.resolve(ReportJson.FILE_NAME));
        Status status = code == 0 && reported ? Status.HOLDS : code == 1 && reported ? Status.FAILS : Status.ERROR;
        Optional<String> cause = status == Status.ERROR ? Optional.of(cause(dir.resolve(ERR), code)) : Optional.empty();
        return outcome(dir, status, code, cause, MatrixCommand.since(t0), Optional.of(impl.value()));
    }

    private Outcome outcome(Path dir, Status s, int code, Optional<String> cause, Duration elapsed, Optional<String> qemu) {
        Optional<String> where = qemu.map(q -> implementation.spec().contains("/") && !implementation.spec().contains(":")
                && !Files.isDirectory(Path.of(implementation.spec())) ? "local" : q);
        return new Outcome(name, dir, s, code, cause, elapsed, qemu, where, implementation.name(), machine,
                hopTo.map(MatrixImplementation::name));
    }

    /** The command's own one-line error (its last line on stderr with the prefix), else the last line, else the status. */
    static String cause(Path err, int code) {
        List<String> lines;
        try {
            lines = Files.readAllLines(err).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            lines = List.of();
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(PREFIX)) {
                return lines.get(i).substring(PREFIX.length()).strip() + " (exit " + code + ")";
            }
        }
        return lines.isEmpty() ? "run exited with status " + code + " and no message"
                : lines.get(lines.size() - 1).strip() + " (exit " + code + ")";
    }
}
