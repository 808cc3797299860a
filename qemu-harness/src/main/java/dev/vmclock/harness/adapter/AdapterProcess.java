package dev.vmclock.harness.adapter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.TiedProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A vendor's adapter process speaking {@value #PROTOCOL} (conformance/ADAPTER-PROTOCOL.md) over its stdin and
 * stdout, one request at a time.
 *
 * <p>The adapter leads a process group of its own ({@code setsid}), so that ending it ends whatever it started. It
 * dies with this JVM: {@code setpriv --pdeathsig KILL}, launched from one long-lived thread (the signal fires when
 * the forking <em>thread</em> exits), covers {@code kill -9} of the JVM; a shutdown hook kills the group on a normal
 * exit. Every broken promise is one {@link AdapterException} with one line; the adapter is killed with it, except
 * for a refusal ({@code ok: false}), which is a valid answer.
 *
 * <p>Bad input, before anything runs, is a {@link HarnessException} with {@link ExitCode#USAGE}: a path that is not
 * an executable file, an adapter that speaks another protocol version or refuses {@code hello}, or that claims a
 * capability or device v1 does not know. USAGE because each is a bad {@code --vmm exec:PATH} value, fixed on the
 * command line or in the adapter, not a broken run.
 */
public final class AdapterProcess implements AutoCloseable {

    public static final String PROTOCOL = "vmclock-conformance/adapter/v1";
    /** How long past a request's deadline the adapter may take to say it missed it (see the protocol). */
    public static final Duration GRACE = Duration.ofSeconds(2);
    public static final Duration HELLO_DEADLINE = Duration.ofSeconds(30);
    public static final Set<String> CAPABILITIES = Set.of("HOST_MEMORY", "HYPERVISOR_WRITER", "SNAPSHOT",
            "PAUSE_RESUME", "LIVE_MIGRATION", "FILE_RESTORE", "FRESH_MACHINE", "GUEST_AGENT");
    public static final Set<String> DEVICES = Set.of("vmclock", "virtio-rtc");

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final int STDERR_TAIL_LINES = 60;
    /** Longer lines (memory reads) are cut in the kept exchange: the evidence needs their shape, not their bytes. */
    private static final int KEPT_LINE_CHARS = 2048;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<AdapterProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final Object EOF = new Object();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(AdapterProcess::kill), "adapter-reaper"));
    }

    private final Path path;
    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    private final List<ExchangeLine> exchange = new ArrayList<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Optional<Path> stderrLog;
    private long ids;
    private boolean dead;
    private AdapterHello hello;
    private Thread stderrPump;

    private AdapterProcess(Path path, Process process, Optional<Path> stderrLog) {
        this.path = path;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.stderrLog = stderrLog;
        daemon("adapter-stdout-" + process.pid(), () -> pumpStdout(process.getInputStream()));
        stderrPump = daemon("adapter-stderr-" + process.pid(), () -> pumpStderr(process.getErrorStream()));
    }

    /**
     * Starts {@code adapter} with {@code args} and says hello. Its stderr is kept in {@code stderrLog} when given
     * (the evidence), and its tail always.
     */
    public static AdapterProcess start(Path adapter, List<String> args, Optional<Path> stderrLog) {
        Path exe = requireExecutable(adapter);
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // The JVM's child is no group leader, so setsid makes the adapter one without forking: pid == pgid.
            cmd.addAll(List.of(SETSID.toString(), "--"));
        }
        cmd.add(exe.toString());
        cmd.addAll(args);
        AdapterProcess a;
        try {
            // Tied to this JVM like QEMU (pdeathsig: JVM -> adapter -> its children, which die with the group kill).
            a = new AdapterProcess(exe, TiedProcesses.start(new ProcessBuilder(cmd)), stderrLog);
        } catch (IOException e) {
            throw new HarnessException(ExitCode.USAGE, "--vmm exec:" + exe + ": cannot start it: " + e.getMessage()
                    + "; check its #! line", e);
        }
        LIVE.add(a);
        try {
            a.hello = a.sayHello();
        } catch (RuntimeException e) {
            a.kill();
            throw e;
        }
        return a;
    }

    private static Path requireExecutable(Path adapter) {
        Path p = adapter.toAbsolutePath().normalize();
        String fix = "; give the path of the adapter's executable, e.g. --vmm exec:conformance/adapters/qemu-adapter.py";
        if (!Files.exists(p)) {
            throw new HarnessException(ExitCode.USAGE, "--vmm exec:" + adapter + ": no such file" + fix);
        }
        if (!Files.isRegularFile(p)) {
            throw new HarnessException(ExitCode.USAGE, "--vmm exec:" + adapter + ": not a regular file" + fix);
        }
        if (!Files.isExecutable(p)) {
            throw new HarnessException(ExitCode.USAGE, "--vmm exec:" + adapter + ": not executable; chmod +x " + p);
        }
        return p;
    }

    private AdapterHello sayHello() {
        JsonNode a;
        try {
            a = request("hello", Map.of("protocol", PROTOCOL), HELLO_DEADLINE).body();
        } catch (AdapterException e) {
            if (e.kind() != AdapterException.Kind.REFUSED) {
                throw e;
            }
            throw badInput("refused hello for " + PROTOCOL + ": " + e.getMessage());
        }
        String protocol = a.path("protocol").asText();
        if (!protocol.equals(PROTOCOL)) {
            throw badInput("speaks protocol '" + protocol + "', the suite speaks " + PROTOCOL
                    + "; use an adapter (or a release of the suite) for the same version");
        }
        List<String> caps = strings(a.path("capabilities"));
        List<String> devices = strings(a.path("devices"));
        caps.stream().filter(c -> !CAPABILITIES.contains(c)).findFirst().ifPresent(c -> {
            throw badInput("claims capability '" + c + "', unknown to " + PROTOCOL + " (known: "
                    + String.join(", ", CAPABILITIES.stream().sorted().toList()) + ")");
        });
        devices.stream().filter(d -> !DEVICES.contains(d)).findFirst().ifPresent(d -> {
            throw badInput("offers device '" + d + "', unknown to " + PROTOCOL + " (known: vmclock, virtio-rtc)");
        });
        JsonNode i = a.path("implementation");
        Map<String, String> details = new LinkedHashMap<>();
        i.path("details").fields().forEachRemaining(e -> details.put(e.getKey(), e.getValue().asText()));
        return new AdapterHello(protocol, caps, devices, new AdapterHello.Implementation(i.path("vmm").asText(),
                i.path("version").asText(), i.path("path").asText(), i.path("where").asText(),
                i.path("machine").asText(), i.path("accelerator").asText(), i.path("accelerator_reason").asText(),
                details));
    }

    private HarnessException badInput(String what) {
        kill();
        return new HarnessException(ExitCode.USAGE, AdapterException.oneLine("--vmm exec:" + path + ": the adapter "
                + what));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    public AdapterHello hello() {
        return hello;
    }

    public Path path() {
        return path;
    }

    /** The adapter's pid, which is also its process group's id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends {@code op} with {@code args} and waits for its answer until {@code deadline} plus {@link #GRACE}.
     *
     * @throws AdapterException on a refusal, or (the adapter then killed) on exit, garbage, a wrong id or a missed
     *                          deadline
     */
    public synchronized AdapterAnswer request(String op, Map<String, ?> args, Duration deadline) {
        long id = ++ids;
        String what = "op '" + op + "' (id " + id + ")";
        if (dead) {
            throw failure(AdapterException.Kind.EXITED, what + ": the adapter was killed earlier in this run");
        }
        ObjectNode req = JSON.createObjectNode();
        req.put("id", id);
        req.put("op", op);
        req.put("deadline_ms", deadline.toMillis());
        args.forEach((k, v) -> req.set(k, JSON.valueToTree(v)));
        String line = req.toString();
        try {
            record(ExchangeLine.Direction.TO_ADAPTER, line);
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw exited(what);
        }
        Object got;
        try {
            got = awaitLine(System.nanoTime() + deadline.plus(GRACE).toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new HarnessException(ExitCode.HARNESS_ERROR, "interrupted waiting for the adapter's answer to " + what, e);
        }
        if (got == null) {
            kill();
            throw failure(AdapterException.Kind.DEADLINE, what + ": no answer within its deadline of "
                    + deadline.toMillis() + " ms (+" + GRACE.toSeconds() + " s grace); adapter killed");
        }
        if (got == EOF) {
            throw exited(what);
        }
        String text = (String) got;
        JsonNode answer;
        try {
            answer = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject() || !answer.path("ok").isBoolean()) {
            kill();
            throw failure(AdapterException.Kind.GARBAGE, what + ": answered garbage, not a JSON object with a boolean"
                    + " 'ok': " + clip(text, 120) + "; adapter killed");
        }
        if (!answer.path("id").isIntegralNumber() || answer.path("id").asLong() != id) {
            kill();
            throw failure(AdapterException.Kind.WRONG_ID, what + ": answered id " + answer.path("id")
                    + "; adapter killed");
        }
        if (!answer.path("ok").asBoolean()) {
            throw failure(AdapterException.Kind.REFUSED, what + " refused: " + answer.path("error").asText("(no error)"));
        }
        return new AdapterAnswer(answer);
    }

    /**
     * The next stdout line, {@link #EOF}, or null at {@code until}. An exit is noticed without waiting for EOF: a
     * child the adapter left running may hold its stdout open.
     */
    private Object awaitLine(long until) throws InterruptedException {
        while (true) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Object got = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            if (got != null) {
                return got;
            }
            if (!process.isAlive()) {
                got = lines.poll(200, TimeUnit.MILLISECONDS); // its last line may still be in the pump
                return got != null ? got : EOF;
            }
        }
    }

    private AdapterException exited(String what) {
        Integer status = null;
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                status = process.exitValue();
                stderrPump.join(1000); // its last words are the evidence
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill(); // what it started may still run in its group
        return failure(AdapterException.Kind.EXITED, what + ": the adapter exited"
                + (status == null ? "" : " with status " + status) + " before answering");
    }

    private AdapterException failure(AdapterException.Kind kind, String what) {
        String tail = stderrTail();
        String last = tail.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
        return new AdapterException(kind, "adapter " + path.getFileName() + ": " + what
                + (last.isEmpty() ? "" : " (stderr: " + clip(last, 200) + ")"), exchange(), tail);
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + " chars)";
    }

    /** Every line to and from the adapter so far, oldest first. */
    public List<ExchangeLine> exchange() {
        synchronized (exchange) {
            return List.copyOf(exchange);
        }
    }

    /** The number of exchange lines so far: a mark for {@link #exchangeSince}. */
    public int exchangeMark() {
        synchronized (exchange) {
            return exchange.size();
        }
    }

    public List<ExchangeLine> exchangeSince(int mark) {
        synchronized (exchange) {
            return List.copyOf(exchange.subList(Math.min(mark, exchange.size()), exchange.size()));
        }
    }

    /** The adapter's last lines on stderr. */
    public String stderrTail() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    private void record(ExchangeLine.Direction d, String text) {
        synchronized (exchange) {
            exchange.add(new ExchangeLine(Instant.now(), d, clip(text, KEPT_LINE_CHARS)));
        }
    }

    private void pumpStdout(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                record(ExchangeLine.Direction.FROM_ADAPTER, line);
                lines.add(line);
            }
        } catch (IOException e) {
            // closed under us: the same as EOF
        }
        lines.add(EOF);
    }

    private void pumpStderr(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            OutputStream log = stderrLog.isPresent() ? Files.newOutputStream(stderrLog.get()) : OutputStream.nullOutputStream();
            try (log) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    log.flush();
                    synchronized (stderrTail) {
                        stderrTail.addLast(line);
                        if (stderrTail.size() > STDERR_TAIL_LINES) {
                            stderrTail.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the adapter is gone; its tail so far is kept
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Live processes in the adapter's process group (zombies excluded), read from /proc: empty once the adapter
     * and everything it started are gone.
     */
    public List<Long> groupMembers() {
        return groupMembers(pid());
    }

    static List<Long> groupMembers(long pgid) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> inGroup(p, pgid))
                    .map(p -> Long.parseLong(p.getFileName().toString())).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean inGroup(Path proc, long pgid) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return !f[0].equals("Z") && Long.parseLong(f[2]) == pgid;
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile
        }
    }

    /** Kills the adapter's whole process group now, and waits until nothing of it runs (at most 5 s). */
    public void kill() {
        dead = true;
        long pgid = pid();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        process.destroyForcibly(); // the group may not exist yet if setsid has not run
        do {
            // No killpg in Java: kill each member; repeated, so children forked meanwhile go too.
            for (long member : groupMembers(pgid)) {
                ProcessHandle.of(member).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (groupMembers(pgid).isEmpty() && !process.isAlive()) {
                break;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < until);
        LIVE.remove(this);
    }

    /** Asks the adapter to shut down (everything it started stops), then kills whatever of its group is left. */
    @Override
    public void close() {
        if (!dead && process.isAlive()) {
            try {
                request("shutdown", Map.of(), Duration.ofSeconds(20));
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (AdapterException e) {
                // killed or refused: the group is killed below either way
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            stdin.close();
        } catch (IOException e) {
            // gone already
        }
        kill();
    }
}
