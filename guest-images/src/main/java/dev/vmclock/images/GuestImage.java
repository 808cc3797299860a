package dev.vmclock.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A bootable guest: a bzImage kernel and an initramfs that loads {@code ptp_vmclock} and runs the
 * vmclock agent (see {@code agent/vmclock-agent.c} in this module's resources for its protocol).
 *
 * @param kernel        the kernel image, for QEMU {@code -kernel}
 * @param initramfs     the initramfs, for QEMU {@code -initrd}
 * @param manifest      the build manifest ({@code manifest.json}); {@code null} for a
 *                      bring-your-own image made with {@link #of(Path, Path)}
 * @param kernelRelease {@code uname -r} of the kernel (e.g. {@code 7.3.4+deb13-cloud-amd64}), or
 *                      {@code null} if it could not be determined
 */
public record GuestImage(Path kernel, Path initramfs, Path manifest, String kernelRelease) {

    /** Name of the virtio-serial port the agent listens on ({@code virtserialport,name=...}). */
    public static final String AGENT_PORT_NAME = "dev.vmclock.agent.0";
    /** Kernel command line the image is made for; the harness may add to it. */
    public static final String DEFAULT_KERNEL_CMDLINE = "console=ttyS0 panic=-1 quiet";
    /** Console line prefix printed once the agent has opened its port ("... port=/dev/vport0p1"). */
    public static final String AGENT_READY_MARKER = "vmclock-agent: ready";
    /** Console line prefix of /init's messages; errors contain "vmclock-init: ERROR". */
    public static final String INIT_MARKER = "vmclock-init:";

    private static final ObjectMapper JSON = new ObjectMapper();

    public GuestImage {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initramfs, "initramfs");
    }

    /**
     * A bring-your-own image. The kernel release is read from the bzImage setup header when
     * possible. The initramfs must provide what the built one does (/init loading ptp_vmclock and
     * the agent) for agent-based checks to work.
     */
    public static GuestImage of(Path kernel, Path initramfs) {
        for (Path p : new Path[] {kernel, initramfs}) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new GuestImageException("guest image file " + p.toAbsolutePath()
                        + " does not exist or is not readable; pass an existing kernel and initramfs");
            }
        }
        return new GuestImage(kernel.toAbsolutePath(), initramfs.toAbsolutePath(), null, kernelReleaseOf(kernel));
    }

    /** The image a build wrote into {@code dir} (vmlinux or vmlinuz, initramfs.cpio.gz, manifest.json). */
    public static GuestImage fromDirectory(Path dir) {
        Path manifest = dir.resolve("manifest.json");
        String release;
        try {
            JsonNode node = JSON.readTree(manifest.toFile());
            release = node.path("kernel_release").asText(null);
        } catch (IOException e) {
            throw new GuestImageException("cannot read the guest image manifest " + manifest + " (" + e.getMessage()
                    + "); delete " + dir + " to rebuild it", e);
        }
        // The PVH-bootable ELF when the build could extract it (a second faster to boot under TCG).
        Path kernel = Files.isRegularFile(dir.resolve("vmlinux")) ? dir.resolve("vmlinux") : dir.resolve("vmlinuz");
        Path initramfs = dir.resolve("initramfs.cpio.gz");
        if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initramfs)) {
            throw new GuestImageException("guest image in " + dir + " is incomplete (vmlinuz or initramfs.cpio.gz missing); delete "
                    + dir + " to rebuild it");
        }
        return new GuestImage(kernel, initramfs, manifest, release);
    }

    /**
     * Which virtio_rtc.ko the built image carries (manifest {@code virtio_rtc.variant}; {@link VirtioRtcModule#NONE}
     * when it has none); empty for a bring-your-own image, whose kernel may have the driver built in.
     */
    public java.util.Optional<VirtioRtcModule> virtioRtcModule() {
        if (manifest == null) {
            return java.util.Optional.empty();
        }
        try {
            String variant = JSON.readTree(manifest.toFile()).path("virtio_rtc").path("variant").asText("none");
            return java.util.Arrays.stream(VirtioRtcModule.values()).filter(m -> m.recipeName().equals(variant)).findFirst();
        } catch (IOException e) {
            throw new GuestImageException("cannot read the guest image manifest " + manifest + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The kernel release from an x86 bzImage setup header (the first word of the kernel_version
     * string), or {@code null} if the file is not a bzImage with a version string.
     */
    public static String kernelReleaseOf(Path bzImage) {
        byte[] head = new byte[0x8000];
        int n;
        try (InputStream in = Files.newInputStream(bzImage)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        if (n < 0x210 || b.getInt(0x202) != 0x53726448 /* "HdrS" */ || (b.getShort(0x206) & 0xffff) < 0x200) {
            return null;
        }
        int off = (b.getShort(0x20e) & 0xffff) + 0x200;
        if (off >= n) {
            return null;
        }
        int end = off;
        while (end < n && head[end] != 0 && head[end] != ' ') {
            end++;
        }
        return end > off ? new String(head, off, end - off, StandardCharsets.US_ASCII) : null;
    }
}
