package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.FileTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A private (0700) directory for one VM's sockets, logs, disks and page dumps. Other local users can
 * neither connect to its QMP socket nor read its memory dumps. Deleted on {@link #delete} unless kept.
 */
public final class RunDirectory {

    /** Environment variable for the parent of run directories (default: java.io.tmpdir). */
    public static final String ENV = "VMCLOCK_RUN_DIR";

    private final Path path;
    private volatile boolean keep;

    private RunDirectory(Path path) {
        this.path = path;
    }

    public static RunDirectory create(String prefix) {
        Path parent = Path.of(Optional.ofNullable(System.getenv(ENV)).orElse(System.getProperty("java.io.tmpdir")));
        try {
            Files.createDirectories(parent);
            return new RunDirectory(Files.createTempDirectory(parent, "vmclock-" + prefix + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        } catch (IOException e) {
            throw new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot create a run directory in " + parent
                    + " (" + e.getMessage() + "): set " + ENV + " to a writable directory", e);
        }
    }

    public Path path() {
        return path;
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    /** Keep the directory after the VM stops: its logs are evidence. */
    public void keep() {
        keep = true;
    }

    public boolean kept() {
        return keep;
    }

    public void delete() {
        if (keep || !Files.exists(path)) {
            return;
        }
        FileTree.deleteQuietly(path);
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
