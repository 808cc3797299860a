package dev.vmclock.harness.qemu;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.FileTree;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * A container image holding this machine's own QEMU, built without a registry: {@code FROM scratch} plus
 * a root file system of the emulator, qemu-img, the libraries {@code ldd} names, the firmware directories
 * and a static busybox (sh, cat, kill). It stands in for a vendor's QEMU image in the project's tests.
 * The tag is derived from the binaries, so an unchanged QEMU is built once per Docker host.
 */
public final class HostQemuImage {

    public static final String REPOSITORY = "vmclock-conformance/host-qemu";
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final List<String> APPLETS = List.of("sh", "cat", "kill", "test", "ls", "ps");
    private static final List<Path> DATA_DIRS = List.of(Path.of("/usr/share/qemu"), Path.of("/usr/share/seabios"),
            Path.of("/usr/lib/ipxe/qemu"), Path.of("/usr/share/ipxe"), Path.of("/usr/lib/x86_64-linux-gnu/qemu"));
    private static final Pattern LDD_PATH = Pattern.compile("(/\\S+)");

    private HostQemuImage() {
    }

    /** The image's name, built now if this Docker host does not have it yet. */
    public static String ensureBuilt(QemuBinary local) {
        if (!local.host().isLocal()) {
            throw new IllegalArgumentException("the image is built from a local QEMU, not " + local);
        }
        String tag = tag(local);
        try {
            DockerClientFactory.instance().client().inspectImageCmd(tag).exec();
            return tag;
        } catch (NotFoundException e) {
            // not built yet
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("vmclock-image-");
            Path tar = rootfsTar(local, work);
            new ImageFromDockerfile(tag, false)
                    .withFileFromPath("rootfs.tar", tar)
                    .withFileFromString("Dockerfile", "FROM scratch\nADD rootfs.tar /\nENV PATH=/usr/bin:/bin\n")
                    .get();
            return tag;
        } catch (IOException | RuntimeException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot build the host-QEMU image " + tag + ": " + e.getMessage(), e);
        } finally {
            FileTree.deleteQuietly(work);
        }
    }

    /** The tag the image of {@code local} has (or will have); builds nothing. */
    public static String tag(QemuBinary local) {
        return REPOSITORY + ":" + local.version() + "-" + Integer.toHexString(fingerprint(local));
    }

    private static int fingerprint(QemuBinary local) {
        try {
            return List.of(local.version().toString(), Files.getLastModifiedTime(local.path()).toString(),
                    Long.toString(Files.size(local.path())), Files.getLastModifiedTime(local.qemuImg()).toString()).hashCode();
        } catch (IOException e) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "cannot read " + local.path() + ": " + e.getMessage(), e);
        }
    }

    private static Path rootfsTar(QemuBinary local, Path work) throws IOException {
        Path root = work.resolve("rootfs");
        List<Path> files = new ArrayList<>(List.of(local.path(), local.qemuImg(), BUSYBOX));
        files.addAll(libraries(local.path()));
        files.addAll(libraries(local.qemuImg()));
        for (Path f : files) {
            copy(f, root);
        }
        for (Path dir : DATA_DIRS) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
                    for (Path f : walk.filter(Files::isRegularFile).toList()) {
                        copy(f, root);
                    }
                }
            }
        }
        // Emulators named by the image's PATH; busybox applets as links.
        Path bin = Files.createDirectories(root.resolve("usr/bin"));
        for (Path tool : List.of(local.path(), local.qemuImg())) {
            Path link = bin.resolve(tool.getFileName().toString());
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, tool);
            }
        }
        Path rootBin = Files.createDirectories(root.resolve("bin"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(rootBin.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(root.resolve("tmp"));
        Path tar = work.resolve("rootfs.tar");
        Command.Result r = Command.of("tar", "-cf", tar.toString(), "-C", root.toString(), ".").run(Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new IOException("tar: " + r.stderr().strip());
        }
        return tar;
    }

    /** Every shared library {@code ldd} resolves for {@code binary}, the dynamic loader included. */
    static List<Path> libraries(Path binary) throws IOException {
        Command.Result r = Command.of("ldd", binary.toString()).run(Duration.ofSeconds(20));
        if (!r.ok()) {
            throw new IOException("ldd " + binary + ": " + r.stderr().strip());
        }
        List<Path> libs = new ArrayList<>();
        for (String line : r.stdout().lines().toList()) {
            Matcher m = LDD_PATH.matcher(line.contains("=>") ? line.substring(line.indexOf("=>")) : line);
            if (m.find()) {
                libs.add(Path.of(m.group(1)));
            }
        }
        return libs;
    }

    /** Copies {@code file} (its content, through symlinks) to the same path under {@code root}. */
    static void copy(Path file, Path root) throws IOException {
        Path target = root.resolve(file.toAbsolutePath().toString().substring(1));
        Files.createDirectories(target.getParent());
        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }
}
