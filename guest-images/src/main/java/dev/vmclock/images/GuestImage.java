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
 * A bootable guest: a kernel and an initramfs that loads {@code ptp_vmclock} and runs the vmclock agent (see
 * {@code agent/vmclock-agent.c} in this module's resources for its protocol). A built image has its kernel twice,
 * as the bzImage ({@link #bzImage()}) and as the PVH-bootable ELF ({@link #vmlinux()}); {@link #booting} picks one.
 *
 * @param kernel        the kernel file a VMM boots ({@code -kernel}): a built image's vmlinux unless
 *                      {@link #booting} chose the bzImage; a bring-your-own image's kernel as given
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

    /**
     * The image a build wrote into {@code dir} (vmlinuz, vmlinux, initramfs.cpio.gz, manifest.json), booting the
     * vmlinux: under TCG it reaches the agent about a second sooner than the bzImage.
     */
    public static GuestImage fromDirectory(Path dir) {
        Path manifest = dir.resolve("manifest.json");
        JsonNode node = readManifest(manifest);
        // An image of an older recipe has no vmlinux recorded: it boots its bzImage.
        Path kernel = node.path("outputs").path("vmlinux").isObject() ? dir.resolve("vmlinux") : dir.resolve("vmlinuz");
        Path initramfs = dir.resolve("initramfs.cpio.gz");
        if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initramfs)) {
            throw new GuestImageException("guest image in " + dir + " is incomplete (" + kernel.getFileName()
                    + " or initramfs.cpio.gz missing); delete " + dir + " to rebuild it");
        }
        return new GuestImage(kernel, initramfs, manifest, node.path("kernel_release").asText(null));
    }

    /** The bzImage: a built image's {@code vmlinuz}; a bring-your-own image's kernel as given. */
    public Path bzImage() {
        return manifest == null ? kernel : manifest.resolveSibling("vmlinuz");
    }

    /**
     * The same kernel as an uncompressed ELF with a PVH entry point (the build checked its note), which Firecracker
     * and Cloud Hypervisor boot on x86; empty for a bring-your-own image.
     */
    public java.util.Optional<Path> vmlinux() {
        if (manifest == null || !readManifest(manifest).path("outputs").path("vmlinux").isObject()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(manifest.resolveSibling("vmlinux"));
    }

    /** The same image booting {@code form} of its kernel; a bring-your-own image boots its kernel as given. */
    public GuestImage booting(GuestKernel form) {
        Path k = switch (form) {
            case BZIMAGE -> bzImage();
            case VMLINUX -> vmlinux().orElseThrow(() -> new GuestImageException(manifest == null
                    ? "a bring-your-own guest (" + kernel + ") boots its kernel as given; leave the guest kernel choice out"
                    : "the guest image in " + manifest.getParent() + " has no vmlinux; delete it to rebuild it"));
        };
        return new GuestImage(k, initramfs, manifest, kernelRelease);
    }

    private static JsonNode readManifest(Path manifest) {
        try {
            return JSON.readTree(manifest.toFile());
        } catch (IOException e) {
            throw new GuestImageException("cannot read the guest image manifest " + manifest + " (" + e.getMessage()
                    + "); delete " + manifest.getParent() + " to rebuild it", e);
        }
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
