package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.GuestImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The uncompressed ELF {@code vmlinux} both VMMs boot directly (PVH entry on x86; neither boots a bzImage). A user's
 * {@code --kernel} must be one; the built guest image carries it ({@link GuestImage#vmlinux()}, checked for its PVH
 * entry note when the image is built).
 */
public final class ElfKernel {

    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

    private ElfKernel() {
    }

    /** The vmlinux of {@code image}: the file itself when it is ELF, else the image's own vmlinux, else bad input. */
    public static Path of(String vmm, GuestImage image, boolean userKernel) {
        if (isElf(image.kernel())) {
            return image.kernel();
        }
        if (userKernel) {
            throw new HarnessException(ExitCode.GUEST_IMAGE, "--kernel " + image.kernel() + " is not an ELF vmlinux: "
                    + vmm + " boots only an uncompressed ELF kernel (give the vmlinux of the same build, not its bzImage)");
        }
        return image.vmlinux().filter(ElfKernel::isElf)
                .orElseThrow(() -> new HarnessException(ExitCode.GUEST_IMAGE, "the built guest image has no ELF vmlinux"
                        + " in this build, which " + vmm + " needs: give --kernel VMLINUX --initrd INITRAMFS"));
    }

    static boolean isElf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            return Arrays.equals(in.readNBytes(4), ELF);
        } catch (IOException e) {
            return false;
        }
    }
}
