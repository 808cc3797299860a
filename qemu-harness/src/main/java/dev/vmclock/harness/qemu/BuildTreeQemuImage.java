package dev.vmclock.harness.qemu;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.FileTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * A container image of a QEMU build tree (a user's own {@code configure && make} directory): its
 * {@code qemu-system-x86_64} and {@code qemu-img}, its firmware ({@code pc-bios/} and the {@code qemu-bundle/}
 * tree through which a QEMU run from its build directory finds data files), the shared libraries {@code ldd}
 * resolves, and a static busybox; {@code FROM scratch}, as {@link HostQemuImage} does for the host's QEMU.
 *
 * <p>The tree is placed at {@link #IN_IMAGE} inside the image, laid out as in DIR, so the emulator finds its firmware
 * exactly as it does on the host ({@code <exec dir>/qemu-bundle/<datadir>}); {@code /usr/bin} links to both tools. The tag
 * ends in a hash of the binaries, the firmware and the library list, so an unchanged tree is built once per
 * Docker host. The label {@value ImageVersions#LABEL} records the QEMU version line, the build directory and
 * {@code git describe} of its tree, which the report's implementation section shows.
 */
public final class BuildTreeQemuImage {

    public static final String REPOSITORY = "vmclock-conformance/qemu-build";
    /** What the versions record names as its suite. */
    public static final String KIND = "build-dir";
    static final String EMULATOR = QemuBinary.DEFAULT_NAME;
    static final String QEMU_IMG = "qemu-img";
    /** Where a build tree keeps firmware: its own blobs, and the install-layout tree of links QEMU reads them through. */
    private static final List<String> FIRMWARE_DIRS = List.of("pc-bios", "qemu-bundle");
    /** Data directories a tree without {@code qemu-bundle} may have been configured with (the default prefix, Debian's). */
    private static final List<String> BUNDLE_DATADIRS = List.of("usr/local/share/qemu", "usr/share/qemu");
    /**
     * Where the tree goes in the image: a fixed path, not the host's, so the container's bind mount of the host's
     * temp directory cannot shadow it (the image is self-contained) and the tag does not depend on where DIR is.
     */
    public static final Path IN_IMAGE = Path.of("/opt/vmclock-qemu-build");
    /** Bump when the layout of the image changes: images of the old layout get a new tag. */
    private static final String LAYOUT = "build-tree-image/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final QemuBinary qemu;
    private final String hash;

    private BuildTreeQemuImage(Path dir, QemuBinary qemu, String hash) {
        this.dir = dir;
        this.qemu = qemu;
        this.hash = hash;
    }

    /**
     * The build tree at {@code dir}, probed and hashed; builds nothing. A directory without an executable
     * {@code qemu-system-x86_64} or {@code qemu-img} is exit 3 with one line naming what is missing.
     */
    public static BuildTreeQemuImage of(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "no build directory at " + abs
                    + ": pass the directory where QEMU was built (it holds qemu-system-x86_64)");
        }
        for (String tool : List.of(EMULATOR, QEMU_IMG)) {
            Path f = abs.resolve(tool);
            if (!Files.isRegularFile(f) || !Files.isExecutable(f)) {
                throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "no " + tool + " in " + abs
                        + ": pass a QEMU build directory configured with --target-list=x86_64-softmmu"
                        + (tool.equals(QEMU_IMG) ? " and the tools (--enable-tools)" : "") + ", after make");
            }
        }
        QemuBinary qemu = QemuBinary.probe(abs.resolve(EMULATOR));
        return new BuildTreeQemuImage(abs, qemu, fingerprint(abs));
    }

    public Path directory() {
        return dir;
    }

    /** The tree's emulator, probed on the host. */
    public QemuBinary qemu() {
        return qemu;
    }

    /** The tag this tree's image has (or will have). */
    public String tag() {
        return REPOSITORY + ":" + qemu.version() + "-" + hash.substring(0, 12);
    }

    /** The image's tag, built now if this Docker host does not have it yet. */
    public String ensureBuilt() {
        String tag = tag();
        if (DebianQemuImage.isBuilt(tag)) {
            return tag;
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("vmclock-build-image-");
            Path tar = rootfsTar(work);
            Map<String, String> labels = Map.of(ImageVersions.LABEL, versionsJson());
            new ImageFromDockerfile(tag, false)
                    .withFileFromPath("rootfs.tar", tar)
                    .withFileFromString("Dockerfile", "FROM scratch\nADD rootfs.tar /\nENV PATH=/usr/bin:/bin\n")
                    .withBuildImageCmdModifier(cmd -> cmd.withLabels(labels))
                    .get();
            return tag;
        } catch (IOException | RuntimeException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot build the image " + tag + " of " + dir + ": "
                    + e.getMessage(), e);
        } finally {
            FileTree.deleteQuietly(work);
        }
    }

    /** What the label records: the QEMU version line, the build directory, and where the tree's sources stand. */
    String versionsJson() throws IOException {
        Map<String, String> recorded = new LinkedHashMap<>();
        recorded.put("qemu-system-x86_64", firstLine(run(Duration.ofSeconds(20), dir.resolve(EMULATOR).toString(), "--version")
                .orElse(qemu.version().toString())));
        recorded.put("build-dir", dir.toString());
        gitDescribe().ifPresent(d -> recorded.put("git-describe", d));
        ObjectNode n = JSON.createObjectNode();
        n.put("suite", KIND);
        n.put("codename", "");
        n.put("recipe", hash);
        n.put("built", Instant.now().toString());
        n.put("qemu", recorded.get("qemu-system-x86_64"));
        recorded.forEach(n.putObject("packages")::put);
        return JSON.writeValueAsString(n);
    }

    /** {@code git describe} of the tree the build directory is in (usually SRC/build), if it is in one. */
    private Optional<String> gitDescribe() {
        return run(Duration.ofSeconds(20), "git", "-C", dir.toString(), "describe", "--always", "--tags", "--dirty")
                .map(BuildTreeQemuImage::firstLine).filter(s -> !s.isEmpty());
    }

    private static Optional<String> run(Duration timeout, String... argv) {
        try {
            Command.Result r = Command.of(argv).run(timeout);
            return r.ok() ? Optional.of(r.stdout()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("");
    }

    /**
     * SHA-256 over the layout version, the build directory and its git describe (the label), both binaries, every
     * firmware file (path and content) and the libraries {@code ldd} resolves (path and size): what ends up in the image.
     */
    private static String fingerprint(Path dir) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(LAYOUT.getBytes());
            // The label names the build directory and its git describe: a copy of the same tree elsewhere, or
            // the same tree at another commit, is another image (else the label would name the first one built).
            md.update(("build-dir " + dir.toAbsolutePath().normalize() + "\n").getBytes());
            md.update(("git-describe " + run(Duration.ofSeconds(20), "git", "-C", dir.toString(), "describe", "--always",
                    "--tags", "--dirty").map(BuildTreeQemuImage::firstLine).orElse("") + "\n").getBytes());
            for (String tool : List.of(EMULATOR, QEMU_IMG)) {
                digest(md, dir, dir.resolve(tool));
                for (Path lib : HostQemuImage.libraries(dir.resolve(tool))) {
                    md.update((lib + "\n" + Files.size(lib) + "\n").getBytes());
                }
            }
            for (Path f : firmware(dir)) {
                digest(md, dir, f);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "cannot read the build directory " + dir + ": "
                    + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void digest(MessageDigest md, Path dir, Path file) throws IOException {
        md.update((dir.relativize(file) + "\n" + Files.size(file) + "\n").getBytes());
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
    }

    /** Every regular file under the firmware directories, through links (qemu-bundle is made of them), sorted. */
    private static List<Path> firmware(Path dir) throws IOException {
        TreeSet<Path> files = new TreeSet<>();
        for (String sub : FIRMWARE_DIRS) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> walk = Files.walk(d, FileVisitOption.FOLLOW_LINKS)) {
                    walk.filter(Files::isRegularFile).forEach(files::add);
                }
            }
        }
        return new ArrayList<>(files);
    }

    private Path rootfsTar(Path work) throws IOException {
        Path root = work.resolve("rootfs");
        List<Path> system = new ArrayList<>(List.of(HostQemuImage.BUSYBOX));
        system.addAll(HostQemuImage.libraries(dir.resolve(EMULATOR)));
        system.addAll(HostQemuImage.libraries(dir.resolve(QEMU_IMG)));
        for (Path f : system) {
            HostQemuImage.copy(f, root);
        }
        Path tree = root.resolve(IN_IMAGE.toString().substring(1));
        List<Path> own = new ArrayList<>(List.of(dir.resolve(EMULATOR), dir.resolve(QEMU_IMG)));
        own.addAll(firmware(dir)); // under the tree: copied with their content, links resolved
        for (Path f : own) {
            Path target = tree.resolve(dir.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        if (!Files.isDirectory(dir.resolve("qemu-bundle")) && Files.isDirectory(dir.resolve("pc-bios"))) {
            // A tree without the bundle (copied by hand): its firmware where the common datadirs relocate to.
            for (String datadir : BUNDLE_DATADIRS) {
                Path link = tree.resolve("qemu-bundle").resolve(datadir);
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, IN_IMAGE.resolve("pc-bios"));
            }
        }
        Path bin = Files.createDirectories(root.resolve("usr/bin"));
        for (String tool : List.of(EMULATOR, QEMU_IMG)) {
            Files.createSymbolicLink(bin.resolve(tool), IN_IMAGE.resolve(tool));
        }
        Path rootBin = Files.createDirectories(root.resolve("bin"));
        for (String applet : HostQemuImage.APPLETS) {
            if (!Files.exists(rootBin.resolve(applet), LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(rootBin.resolve(applet), Path.of("busybox"));
            }
        }
        Files.createDirectories(root.resolve("tmp"));
        Path tar = work.resolve("rootfs.tar");
        Command.Result r = Command.of("tar", "-cf", tar.toString(), "-C", root.toString(), ".").run(Duration.ofMinutes(5));
        if (!r.ok()) {
            throw new IOException("tar: " + r.stderr().strip());
        }
        return tar;
    }
}
