package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A probed QEMU system emulator: where it is, its version and the devices it was built with.
 * Probing runs the binary twice ({@code --version}, {@code -device help}) and never starts a guest.
 */
public final class QemuBinary {

    /** Environment variable naming the QEMU binary when {@code --qemu} is not given. */
    public static final String ENV = "VMCLOCK_QEMU";
    public static final String DEFAULT_NAME = "qemu-system-x86_64";
    /** A line of {@code -machine help}: "q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-10.0)". */
    private static final Pattern MACHINE_LINE = Pattern.compile("^(\\S+)\\s+\\S.*?(?:\\(alias of (\\S+)\\))?\\s*$");
    private static final Pattern DEVICE_NAME = Pattern.compile("^name \"([^\"]+)\"", Pattern.MULTILINE);

    private final QemuHost host;
    private final Path path;
    private final QemuVersion version;
    private final Set<String> devices;
    private Path qemuImg;
    private Set<String> machines;

    /**
     * Binaries probed in this JVM, by where they run and (local) their file's identity: the same file answers
     * the same, and the fault tier resolves about a hundred targets of one QEMU (three probe runs each). Each
     * locate still returns an instance of its own ({@link #sameProbe}): a hop's source and destination may be
     * one file, and a machine tells where it runs by the instance.
     */
    private static final Map<List<Object>, QemuBinary> PROBED = new ConcurrentHashMap<>();
    /** The first instance probed for this file, which asks, once for all of them, the machine types and qemu-img. */
    private QemuBinary probedAs = this;

    private QemuBinary(QemuHost host, Path path, QemuVersion version, Set<String> devices) {
        this.host = host;
        this.path = path;
        this.version = version;
        this.devices = devices;
    }

    /** {@code explicit} if given, else {@code $VMCLOCK_QEMU}, else {@code qemu-system-x86_64} on PATH. */
    public static QemuBinary locate(String explicit) {
        String name = explicit != null ? explicit : Optional.ofNullable(System.getenv(ENV)).orElse(DEFAULT_NAME);
        return probe(resolve(name));
    }

    /**
     * A QEMU on {@code host}: for a container, {@code explicit} is a path inside the image (default
     * {@code qemu-system-x86_64} on the image's PATH); the environment variable is not consulted there.
     */
    public static QemuBinary locate(QemuHost host, String explicit) {
        if (host.isLocal()) {
            return locate(explicit);
        }
        Path binary = Path.of(explicit != null ? explicit : DEFAULT_NAME);
        // One container: its image's files do not change while it runs.
        return probedOnce(List.of(host, binary), () -> {
            Command.Result v = probeRun(host, binary, List.of(binary.toString(), "--version"));
            if (exitMeansNotFound(v.exitCode())) {
                throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "no QEMU at " + binary + " in " + host.describe()
                        + ": pass --qemu with the emulator's path inside the image");
            }
            return probe(host, binary, v);
        });
    }

    public static QemuBinary probe(Path binary) {
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "QEMU not found at " + binary
                    + ": install QEMU >= " + QemuVersion.FIRST_WITH_VMCLOCK + " (./setup.sh on Debian 12) or pass --qemu PATH");
        }
        List<Object> file;
        try {
            file = List.of(binary.toRealPath(), Files.size(binary), Files.getLastModifiedTime(binary));
        } catch (IOException e) {
            file = null; // gone since the check above: the probe says why
        }
        return probedOnce(file, () -> probe(QemuHost.LOCAL, binary,
                probeRun(QemuHost.LOCAL, binary, List.of(binary.toString(), "--version"))));
    }

    /** The binary probed under {@code key} before, as an instance of its own; else {@code probe}'s, remembered. */
    private static QemuBinary probedOnce(List<Object> key, Supplier<QemuBinary> probe) {
        QemuBinary known = key == null ? null : PROBED.get(key);
        if (known != null) {
            return known.sameProbe();
        }
        QemuBinary probed = probe.get();
        if (key != null) {
            PROBED.put(key, probed);
        }
        return probed;
    }

    private static Command.Result probeRun(QemuHost host, Path binary, List<String> argv) {
        try {
            return host.run(argv, Duration.ofSeconds(20));
        } catch (IOException e) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "cannot probe QEMU at " + binary + " ("
                    + host.describe() + "): " + e.getMessage(), e);
        }
    }

    /** 126/127: the shell's and docker exec's "cannot execute" and "not found". */
    private static boolean exitMeansNotFound(int exitCode) {
        return exitCode == 126 || exitCode == 127;
    }

    private static QemuBinary probe(QemuHost host, Path binary, Command.Result v) {
        try {
            if (!v.ok()) {
                throw new HarnessException(ExitCode.QEMU_NOT_FOUND, binary + " --version failed (exit "
                        + v.exitCode() + "): " + firstLine(v.stderr()) + "; is it a QEMU system emulator?");
            }
            QemuVersion version = QemuVersion.parse(v.stdout());
            Command.Result d = probeRun(host, binary,
                    List.of(binary.toString(), "-machine", "none", "-nodefaults", "-device", "help"));
            Set<String> devices = new TreeSet<>();
            Matcher m = DEVICE_NAME.matcher(d.stdout());
            while (m.find()) {
                devices.add(m.group(1));
            }
            return new QemuBinary(host, host.isLocal() ? binary.toAbsolutePath() : binary, version, Set.copyOf(devices));
        } catch (IllegalArgumentException e) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "cannot probe QEMU at " + binary + ": " + e.getMessage(), e);
        }
    }

    /** A new instance with this one's answers (it asks no process). */
    private QemuBinary sameProbe() {
        QemuBinary copy = new QemuBinary(host, path, version, devices);
        copy.probedAs = probedAs;
        return copy;
    }

    /** Fails with the documented exit code when this QEMU cannot host the device under test. */
    public QemuBinary requireVmclock() {
        if (!hasDevice("vmclock")) {
            throw new HarnessException(ExitCode.QEMU_WITHOUT_VMCLOCK, "QEMU " + version + " at " + path
                    + (host.isLocal() ? "" : " in " + host.describe()) + " has no vmclock device: it needs QEMU >= " + QemuVersion.FIRST_WITH_VMCLOCK
                    + " (Debian 12: ./setup.sh installs it from bookworm-backports) or pass --qemu PATH");
        }
        return this;
    }

    /** The binary's path, on {@link #host()} (inside the image for a container). */
    public Path path() {
        return path;
    }

    /** Where this QEMU runs. */
    public QemuHost host() {
        return host;
    }

    public QemuVersion version() {
        return version;
    }

    public Set<String> devices() {
        return devices;
    }

    public boolean hasDevice(String name) {
        return devices.contains(name);
    }

    /**
     * The machine types this QEMU knows ({@code -machine help}: names and aliases such as {@code q35} and
     * {@code pc-q35-10.0}); asked once.
     */
    public Set<String> machines() {
        return probedAs == this ? askMachines() : probedAs.machines();
    }

    private synchronized Set<String> askMachines() {
        if (machines == null) {
            Command.Result r = probeRun(host, path, List.of(path.toString(), "-machine", "help"));
            Set<String> names = new TreeSet<>();
            for (String line : r.stdout().split("\n")) {
                Matcher m = MACHINE_LINE.matcher(line);
                if (!line.endsWith(":") && m.find()) { // not the heading "Supported machines are:"
                    names.add(m.group(1));
                    if (m.group(2) != null) {
                        names.add(m.group(2));
                    }
                }
            }
            machines = Set.copyOf(names);
        }
        return machines;
    }

    /** The one rule for a machine type, for the command line and the suite alike: this QEMU must know it. */
    public QemuBinary requireMachine(String type) {
        if (!machines().contains(type)) {
            throw new HarnessException(ExitCode.USAGE, "QEMU " + version + " knows no machine type '" + type
                    + "': choose one it lists with -machine help (for example q35, pc, microvm)");
        }
        return this;
    }

    /** qemu-img next to the binary (a build tree or prefix), else on PATH (the image's, for a container). */
    public Path qemuImg() {
        return probedAs == this ? findQemuImg() : probedAs.qemuImg();
    }

    private synchronized Path findQemuImg() {
        if (qemuImg == null) {
            qemuImg = host.isLocal() ? localQemuImg() : containerQemuImg();
        }
        return qemuImg;
    }

    private Path containerQemuImg() {
        List<Path> candidates = path.getParent() != null ? List.of(path.resolveSibling("qemu-img"), Path.of("qemu-img"))
                : List.of(Path.of("qemu-img"));
        for (Path candidate : candidates) {
            if (probeRun(host, candidate, List.of(candidate.toString(), "--version")).ok()) {
                return candidate;
            }
        }
        throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "qemu-img not found next to " + path + " nor on PATH in "
                + host.describe() + ": the image needs qemu-img for snapshots");
    }

    private Path localQemuImg() {
        Path sibling = path.resolveSibling("qemu-img");
        if (Files.isExecutable(sibling)) {
            return sibling;
        }
        Path onPath = resolve("qemu-img");
        if (!Files.isExecutable(onPath)) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND,
                    "qemu-img not found next to " + path + " nor on PATH: install qemu-utils (./setup.sh)");
        }
        return onPath;
    }

    private static Path resolve(String name) {
        if (name.contains("/")) {
            return Path.of(name);
        }
        for (String dir : Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return Path.of(name);
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("");
    }

    @Override
    public String toString() {
        return "QEMU " + version + " (" + path + (host.isLocal() ? "" : " in " + host.describe()) + ")";
    }
}
