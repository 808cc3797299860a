package dev.vmclock.harness.memory;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qmp.QmpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Reads guest-physical memory through QMP {@code pmemsave} into a file of the VM's private run
 * directory. Works whether or not a guest OS runs, and needs nothing but QMP.
 */
public final class PmemsaveMemory implements PhysicalMemory {

    private final QmpClient qmp;
    private final Path scratch;

    public PmemsaveMemory(QmpClient qmp, Path runDirectory) {
        this.qmp = qmp;
        this.scratch = runDirectory.resolve("pmemsave.bin");
    }

    @Override
    public synchronized byte[] read(long address, int length) {
        qmp.execute("pmemsave", Map.of("val", address, "size", length, "filename", scratch.toString()),
                Duration.ofSeconds(10));
        try {
            byte[] bytes = Files.readAllBytes(scratch);
            if (bytes.length != length) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, "pmemsave wrote " + bytes.length + " bytes, expected "
                        + length + " at 0x" + Long.toHexString(address));
            }
            return bytes;
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot read pmemsave output " + scratch + ": " + e.getMessage(), e);
        }
    }
}
