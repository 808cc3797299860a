package dev.vmclock.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qemu.BuildTreeQemuImage;
import dev.vmclock.harness.qemu.Command;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import dev.vmclock.harness.qemu.HostQemuImage;
import dev.vmclock.harness.qemu.ImageVersions;
import dev.vmclock.harness.qemu.QemuBinary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code images}: the QEMU implementations the project can run as container images (this machine's QEMU,
 * and Debian's per suite), whether this Docker host has each, its tag and recorded versions;
 * {@code images build NAME...} builds them (and {@code kbuild:ABI}, the guest's module build image).
 */
@picocli.CommandLine.Command(name = "images", sortOptions = false, abbreviateSynopsis = true, description = {
        "List the QEMU implementations the project can run as container images (host, bookworm-backports,"
        + " trixie, trixie-backports): built or not, tag, recorded package versions.",
        "images build NAME... builds them (also kbuild:ABI, the guest's module build image);"
        + " images build --from-build-dir DIR makes one of a QEMU build tree (its qemu-system-x86_64, qemu-img,"
        + " firmware and libraries). A directory without them: exit 3."})
final class ImagesCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "build NAME", description = "build the named images")
    List<String> args = new ArrayList<>();

    @Option(names = "--from-build-dir", paramLabel = "DIR", description = "a QEMU build directory (after make): its"
            + " qemu-system-x86_64, qemu-img, pc-bios/ and qemu-bundle/ firmware and ldd libraries become an image,"
            + " tagged by a hash of them; listed, or built with images build")
    Path buildDir;

    @Mixin
    HelpOption help;

    static final String HOST = "host";
    static final String KBUILD_PREFIX = "kbuild:";

    private final PrintStream out;
    private final DebianQemuImage debian;

    ImagesCommand(PrintStream out) {
        this(out, DebianQemuImage.shipped());
    }

    ImagesCommand(PrintStream out, DebianQemuImage debian) {
        this.out = out;
        this.debian = debian;
    }

    @Override
    public Integer call() {
        return run(args);
    }

    int run(List<String> args) {
        if (args.isEmpty()) {
            return list();
        }
        if (buildDir != null && args.equals(List.of("build"))) {
            BuildTreeQemuImage tree = BuildTreeQemuImage.of(buildDir); // a directory without QEMU fails before Docker is asked
            requireDocker();
            out.println(buildDir + ": " + buildTree(tree));
            return ExitCode.OK.code();
        }
        if (!args.get(0).equals("build") || args.size() < 2) {
            throw Main.usage("usage: images [build NAME...] with NAME one of " + names() + " or " + KBUILD_PREFIX + "ABI"
                    + ", or images build --from-build-dir DIR");
        }
        List<String> names = args.subList(1, args.size());
        names.forEach(this::check); // every name before the first (long) build
        requireDocker();
        for (String name : names) {
            out.println(name + ": " + build(name));
        }
        return ExitCode.OK.code();
    }

    private int list() {
        boolean docker = dockerAnswers();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "BUILT", "TAG", "VERSIONS"});
        rows.add(hostRow(docker));
        if (buildDir != null) {
            rows.add(buildTreeRow(docker, BuildTreeQemuImage.of(buildDir)));
        }
        for (DebianSuite s : DebianSuite.values()) {
            String tag = debian.tag(s);
            Optional<ImageVersions> v = docker ? DebianQemuImage.versions(tag) : Optional.empty();
            rows.add(new String[] {s.suite(), built(docker, v.isPresent()), tag, v.map(ImagesCommand::describe).orElse("-")});
        }
        int[] width = new int[3];
        for (String[] r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            out.printf("%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %s%n", (Object[]) r);
        }
        if (!docker) {
            out.println("(Docker is not reachable: start dockerd, ./setup.sh does)");
        }
        return ExitCode.OK.code();
    }

    private String[] hostRow(boolean docker) {
        QemuBinary local;
        try {
            local = QemuBinary.locate(null);
        } catch (HarnessException e) {
            return new String[] {HOST, "-", "-", "no local QEMU: " + e.getMessage()};
        }
        String tag = HostQemuImage.tag(local);
        return new String[] {HOST, built(docker, docker && DebianQemuImage.isBuilt(tag)), tag,
                "qemu " + local.version() + " (" + local.path() + ")"};
    }

    private static String[] buildTreeRow(boolean docker, BuildTreeQemuImage tree) {
        Optional<ImageVersions> v = docker ? DebianQemuImage.versions(tree.tag()) : Optional.empty();
        return new String[] {BuildTreeQemuImage.KIND, built(docker, v.isPresent()), tree.tag(),
                v.map(ImagesCommand::describe).orElse("qemu " + tree.qemu().version() + " (" + tree.directory() + ")")};
    }

    /** The image of a build tree, built now if missing, with what its label recorded. */
    static String buildTree(BuildTreeQemuImage tree) {
        String tag = tree.ensureBuilt();
        return tag + DebianQemuImage.versions(tag).map(v -> " (" + describe(v) + ")").orElse("");
    }

    private static String built(boolean docker, boolean present) {
        return !docker ? "?" : present ? "yes" : "no";
    }

    /** The QEMU line and the recorded package versions, short. */
    static String describe(ImageVersions v) {
        return v.packages().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private void check(String name) {
        if (name.equals(HOST) || name.startsWith(KBUILD_PREFIX) && name.length() > KBUILD_PREFIX.length()) {
            return;
        }
        DebianSuite.parse(name);
    }

    private String build(String name) {
        if (name.equals(HOST)) {
            return HostQemuImage.ensureBuilt(QemuBinary.locate(null));
        }
        if (name.startsWith(KBUILD_PREFIX)) {
            return debian.kbuild(name.substring(KBUILD_PREFIX.length()));
        }
        String tag = debian.ensureBuilt(DebianSuite.parse(name));
        return tag + DebianQemuImage.versions(tag).map(v -> " (" + describe(v) + ")").orElse("");
    }

    private static String names() {
        List<String> names = new ArrayList<>(List.of(HOST));
        for (DebianSuite s : DebianSuite.values()) {
            names.add(s.suite());
        }
        return String.join(", ", names);
    }

    static boolean dockerAnswers() {
        try {
            return Command.of("docker", "version", "--format", "{{.Server.Version}}").run(Duration.ofSeconds(20)).ok();
        } catch (IOException e) {
            return false;
        }
    }

    private static void requireDocker() {
        if (!dockerAnswers()) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND,
                    "Docker is not reachable (docker version failed): start dockerd (./setup.sh does)");
        }
    }
}
