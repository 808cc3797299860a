package dev.vmclock.cli;

import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.gate.ExpectationsFile;
import dev.vmclock.gate.FailOn;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.report.Comparison;
import dev.vmclock.report.HtmlReport;
import dev.vmclock.report.Implementations;
import dev.vmclock.report.Report;
import dev.vmclock.report.ReportBuilder;
import dev.vmclock.report.ReportJson;
import dev.vmclock.report.RunContext;
import dev.vmclock.report.allure.AllureCommandLine;
import dev.vmclock.report.allure.AllureResults;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code matrix [FILE]}: the suite over implementations x machine types, plus hops, one run directory per cell,
 * then one comparison page and one merged Allure report over all of them.
 *
 * <p>Each cell is {@code run} itself in a child JVM ({@link MatrixCell}): the same code path, output and exit
 * code as a user's {@code run}, and isolation (a cell that crashes, hangs or exits takes no other cell with it;
 * {@code -j N} runs N without sharing a JVM's process-wide state). Images are built first, one at a time, in
 * this JVM. The exit code is the gate over every cell: 0 when every cell's gate holds, 1 when one fails or a cell
 * could not run (ERROR).
 */
@Command(name = "matrix", sortOptions = false, abbreviateSynopsis = true, description = {
        "Run the suite over a matrix of implementations x machine types (and hops between implementations):"
        + " DIR/<cell>/ per cell (as run --out writes), DIR/comparison.html side by side, DIR/allure/index.html"
        + " merged, DIR/matrix.json. Exit 0 when every cell's gate holds, 1 when one fails or could not run."})
final class MatrixCommand implements Callable<Integer> {

    static final String COMPARISON = "comparison.html";
    static final String ALLURE = "allure";
    static final String SUMMARY = "matrix.json";

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "the matrix (YAML: implementations, machines, hops,"
            + " select, accel; see the README)")
    Path file;

    @Option(names = "--impl", paramLabel = "[NAME=]SPEC", split = ",", description = "implementations instead of the"
            + " file's: a QEMU path, a local image tag, a Debian suite (trixie-backports), host, build-dir:DIR")
    List<String> impls = new ArrayList<>();

    @Option(names = "--machines", paramLabel = "TYPE", split = ",", description = "machine types instead of the"
            + " file's (default q35)")
    List<String> machines = new ArrayList<>();

    @Option(names = "--hop", paramLabel = "FROM->TO", description = "a hop cell (repeatable): run on FROM, hop to TO")
    List<String> hops = new ArrayList<>();

    @Option(names = "--select", paramLabel = "IDS", split = "[,\\s]+", splitSynopsisLabel = ",",
            description = "clause ids or areas for every cell (as run --select)")
    List<String> select = new ArrayList<>();

    @Option(names = "--cell", paramLabel = "NAME", split = ",", description = "run only these cells (one CI job per"
            + " cell); --list names them")
    List<String> only = new ArrayList<>();

    @Option(names = "--list", description = "print the cells' names, one a line, and run nothing")
    boolean list;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1", description = "cells at a time (default 1)")
    int jobs;

    @Option(names = "--accel", paramLabel = "MODE", description = "auto, kvm or tcg for every cell (default: the"
            + " file's, else auto)")
    String accel;

    @Option(names = "--fail-on", paramLabel = FailOn.VALUES, split = ",", description = "the gate of every cell, as"
            + " for run (default: must, plus unexpected-pass when $CI is set)")
    List<String> failOn = new ArrayList<>();

    @Option(names = "--expectations", paramLabel = "FILE", description = "expected results for every cell: each"
            + " cell's run holds its results against the entries whose conditions match its implementation")
    Path expectations;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "vmclock-matrix",
            description = "where the cells and the merged reports go (default: ./${DEFAULT-VALUE})")
    Path outDir;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    MatrixCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        if (jobs < 1) {
            throw Main.usage("-j must be at least 1");
        }
        FailOn.parse(failOn, System.getenv()); // a bad value stops the matrix before any cell starts
        if (expectations != null) {
            ExpectationsFile.read(expectations, SpecMap.load()); // bad input stops the matrix before any cell starts
        }
        List<MatrixCell> cells = cells(file == null ? MatrixFile.EMPTY : MatrixFile.read(file));
        if (list) {
            cells.forEach(c -> out.println(c.name()));
            return ExitCode.OK.code();
        }
        Main.prepareOutput(outDir);
        Map<String, Optional<MatrixImplementation.Resolved>> resolved = new LinkedHashMap<>();
        Map<String, String> causes = new LinkedHashMap<>();
        for (MatrixImplementation impl : used(cells)) {
            // Image builds take minutes and share the Docker host: one at a time, before any cell.
            try {
                MatrixImplementation.Resolved r = impl.resolve();
                resolved.put(impl.name(), Optional.of(r));
                out.printf("implementation %s: %s %s%n", impl.name(), r.option(), r.value());
            } catch (HarnessException | IllegalArgumentException e) {
                resolved.put(impl.name(), Optional.empty());
                causes.put(impl.name(), oneLine(e.getMessage()));
                out.printf("implementation %s: ERROR %s%n", impl.name(), causes.get(impl.name()));
            }
        }
        out.printf("%d cell(s), %d at a time, into %s%n", cells.size(), jobs, outDir.toAbsolutePath());
        List<MatrixCell.Outcome> outcomes = runAll(cells, resolved, causes);
        return merge(outcomes);
    }

    /** The cells of the file and options: implementations x machines, then the hops. */
    List<MatrixCell> cells(MatrixFile f) {
        Map<String, MatrixImplementation> implementations = new LinkedHashMap<>();
        if (!impls.isEmpty()) {
            for (String i : impls) {
                int eq = i.indexOf('=');
                String name = eq > 0 ? i.substring(0, eq) : MatrixFile.nameOf(i);
                implementations.put(name, new MatrixImplementation(name, eq > 0 ? i.substring(eq + 1) : i));
            }
        } else {
            f.implementations().forEach((n, s) -> implementations.put(n, new MatrixImplementation(n, s)));
        }
        List<String> types = !machines.isEmpty() ? machines : !f.machines().isEmpty() ? f.machines() : List.of("q35");
        List<MatrixFile.Hop> hopList = new ArrayList<>(f.hops());
        if (!hops.isEmpty()) {
            hopList = hops.stream().map(MatrixFile.Hop::parse).toList();
        }
        if (implementations.isEmpty() && hopList.isEmpty()) {
            throw Main.usage("matrix needs implementations: a matrix FILE or --impl SPEC,...");
        }
        List<String> clauses = !select.isEmpty() ? select : f.select();
        String mode = accel != null ? accel : f.accel().orElse("auto");
        List<MatrixCell> cells = new ArrayList<>();
        for (MatrixImplementation impl : implementations.values()) {
            for (String machine : types) {
                cells.add(new MatrixCell(impl.name() + "--" + machine, impl, machine, Optional.empty(), clauses, mode,
                        gateArgs()));
            }
        }
        for (MatrixFile.Hop h : hopList) {
            MatrixImplementation from = implementations.getOrDefault(h.from(), new MatrixImplementation(MatrixFile.nameOf(h.from()), h.from()));
            MatrixImplementation to = implementations.getOrDefault(h.to(), new MatrixImplementation(MatrixFile.nameOf(h.to()), h.to()));
            String machine = h.machine().orElse(types.get(0));
            cells.add(new MatrixCell("hop--" + from.name() + "--to--" + to.name() + "--" + machine, from, machine,
                    Optional.of(to), clauses, mode, gateArgs()));
        }
        Set<String> names = new LinkedHashSet<>();
        for (MatrixCell c : cells) {
            if (!names.add(c.name())) {
                throw Main.usage("two cells are named " + c.name() + ": give the implementations distinct names");
            }
        }
        if (!only.isEmpty()) {
            for (String o : only) {
                if (!names.contains(o)) {
                    throw Main.usage("no cell " + o + " in the matrix; its cells: " + String.join(", ", names));
                }
            }
            cells = cells.stream().filter(c -> only.contains(c.name())).toList();
        }
        return cells;
    }

    private static List<MatrixImplementation> used(List<MatrixCell> cells) {
        Map<String, MatrixImplementation> used = new LinkedHashMap<>();
        for (MatrixCell c : cells) {
            used.putIfAbsent(c.implementation().name(), c.implementation());
            c.hopTo().ifPresent(t -> used.putIfAbsent(t.name(), t));
        }
        return List.copyOf(used.values());
    }

    private List<MatrixCell.Outcome> runAll(List<MatrixCell> cells, Map<String, Optional<MatrixImplementation.Resolved>> resolved,
                                            Map<String, String> causes) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<Future<MatrixCell.Outcome>> futures = new ArrayList<>();
        try {
            for (MatrixCell c : cells) {
                futures.add(pool.submit(() -> {
                    Path dir = outDir.resolve(c.name());
                    Optional<String> cause = c.implementations().stream().map(i -> causes.get(i.name()))
                            .filter(java.util.Objects::nonNull).findFirst();
                    MatrixCell.Outcome o = cause.isPresent() ? c.notRun(dir, cause.get())
                            : c.run(dir, resolved.get(c.implementation().name()).orElseThrow(),
                                    c.hopTo().map(t -> resolved.get(t.name()).orElseThrow()));
                    if (o.status() == MatrixCell.Status.ERROR) {
                        writeNotRun(c, dir, o);
                    }
                    synchronized (out) {
                        out.printf("%-6s %s (%d s)%s%n", o.status(), c.name(), o.elapsed().toSeconds(),
                                o.cause().map(x -> ": " + x).orElse(""));
                    }
                    return o;
                }));
            }
            List<MatrixCell.Outcome> outcomes = new ArrayList<>();
            for (Future<MatrixCell.Outcome> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new HarnessException(ExitCode.HARNESS_ERROR, "a matrix cell broke the harness: " + e.getCause(), e.getCause());
                }
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** A cell without a report of its own gets one saying why, so the comparison and Allure mark it ERROR. */
    private void writeNotRun(MatrixCell c, Path dir, MatrixCell.Outcome o) {
        try {
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve(ReportJson.FILE_NAME))) {
                return;
            }
        } catch (IOException e) {
            throw Main.notWritable(dir, e);
        }
        String cause = o.cause().orElse("the cell did not run");
        // A matrix's implementations are QEMUs (MatrixImplementation): the record names its binary or image, version unknown.
        Report.Implementation impl = new Report.Implementation(new Report.Vmm("qemu", "unknown",
                o.qemu().orElse(c.implementation().spec()), o.where().orElse(c.implementation().spec()), Map.of()),
                c.machine(), new Report.Accelerator(c.accel(), "the cell did not run"), null, Implementations.currentHost());
        RunContext ctx = new RunContext(impl, Instant.now(), Implementations.suiteVersion(), Optional.empty(),
                c.select(), FailOn.parse(failOn, System.getenv()).strength(), dir);
        Report report = ReportBuilder.notRun(ctx, cause);
        ReportJson.write(report, dir);
        HtmlReport.write(report, dir);
        new AllureResults(dir.resolve(AllureResults.DIRECTORY), c.label()).writeNotRun(cause);
    }

    /** The gate's options as each cell's run takes them; the cells inherit $CI, so an absent --fail-on stays absent. */
    private List<String> gateArgs() {
        List<String> args = new ArrayList<>();
        if (!failOn.isEmpty()) {
            args.addAll(List.of("--fail-on", String.join(",", failOn)));
        }
        if (expectations != null) {
            args.addAll(List.of("--expectations", expectations.toAbsolutePath().toString()));
        }
        return args;
    }

    /** The comparison page, the merged Allure report and matrix.json over every cell; the gate over all. */
    private int merge(List<MatrixCell.Outcome> outcomes) {
        Map<Path, Report> reports = new LinkedHashMap<>();
        List<Path> allure = new ArrayList<>();
        for (MatrixCell.Outcome o : outcomes) {
            reports.put(o.dir(), ReportJson.read(o.dir()));
            if (Files.isDirectory(o.dir().resolve(AllureResults.DIRECTORY))) {
                allure.add(o.dir().resolve(AllureResults.DIRECTORY));
            }
        }
        Path comparison = Comparison.of(reports).write(outDir.resolve(COMPARISON));
        Path allureIndex = AllureCommandLine.bundled().generate(allure, outDir.resolve(ALLURE));
        Path summary = outDir.resolve(SUMMARY);
        try {
            Files.writeString(summary, ReportJson.toJson(Map.of("cells", outcomes.stream().map(MatrixCell.Outcome::summary).toList())));
        } catch (IOException e) {
            throw Main.notWritable(outDir, e);
        }
        long holds = outcomes.stream().filter(o -> o.status() == MatrixCell.Status.HOLDS).count();
        long errors = outcomes.stream().filter(o -> o.status() == MatrixCell.Status.ERROR).count();
        boolean ok = holds == outcomes.size();
        out.printf("%nmatrix: %d cell(s): %d gate holds, %d gate fails, %d ERROR (could not run): gate %s%n"
                        + "comparison: %s%nallure:     %s%nsummary:    %s%n", outcomes.size(), holds,
                outcomes.size() - holds - errors, errors, ok ? "HOLDS" : "FAILS", comparison.toAbsolutePath(),
                allureIndex.toAbsolutePath(), summary.toAbsolutePath());
        return ok ? ExitCode.OK.code() : ExitCode.GATE_FAILED.code();
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ");
    }

    static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
