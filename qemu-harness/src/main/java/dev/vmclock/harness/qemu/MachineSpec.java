package dev.vmclock.harness.qemu;

import dev.vmclock.harness.Device;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to start: an immutable description of one QEMU machine, turned into an argv list (never a shell
 * string) by {@link #argv}. Tests describe machines with this and never write QEMU options themselves.
 */
public record MachineSpec(
        String machineType,
        int memoryMib,
        int cpus,
        Accelerator accelerator,
        List<Device> devices,
        List<PageOverride> pageOverrides,
        Optional<KernelBoot> kernelBoot,
        boolean agentPort,
        boolean qtest,
        Optional<Path> snapshotDisk,
        boolean incoming,
        boolean startPaused,
        boolean ramFile,
        List<String> extraArgs,
        Optional<Path> vsockBackend,
        Optional<RtcBackend.CommandLine> rtcBackend) {

    /** Name of the virtio-serial port the in-guest agent listens on. */
    public static final String AGENT_PORT_NAME = "dev.vmclock.agent.0";
    /** File name of the qcow2 image, inside the run directory, that holds savevm snapshots. */
    public static final String DEFAULT_SNAPSHOT_DISK = "vmstate.qcow2";
    /** Block node name of that image. */
    public static final String SNAPSHOT_NODE = "vmstate0";
    /** File name, inside each QEMU's run directory, of the guest RAM when {@link #ramFile()} is on. */
    public static final String RAM_FILE = "guest-ram.bin";

    public MachineSpec {
        Objects.requireNonNull(machineType);
        Objects.requireNonNull(accelerator);
        devices = List.copyOf(devices);
        pageOverrides = List.copyOf(pageOverrides);
        extraArgs = List.copyOf(extraArgs);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A machine whose vCPUs never run, for drivers on the host: started paused ({@code -S}, so no firmware
     * enumerates PCI or assigns BARs) with a qtest socket through which port I/O and memory accesses reach
     * the devices. TCG, because Debian's QEMU 10.0.2 refuses {@code -accel qtest} and {@code -qtest} next to
     * TCG keeps the accesses synchronous; the devices' own work (virtqueue handlers, timers) runs in QEMU's
     * main loop regardless of the paused vCPUs.
     */
    public static Builder deviceOnly(Device... devices) {
        return builder().machineType("q35").accelerator(Accelerator.TCG).memoryMib(64).devices(devices).qtest(true)
                .startPaused(true);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.machineType = machineType;
        b.memoryMib = memoryMib;
        b.cpus = cpus;
        b.accelerator = accelerator;
        b.devices.clear();
        b.devices.addAll(devices);
        b.pageOverrides.addAll(pageOverrides);
        b.kernelBoot = kernelBoot.orElse(null);
        b.agentPort = agentPort;
        b.qtest = qtest;
        b.snapshotDisk = snapshotDisk.orElse(null);
        b.incoming = incoming;
        b.startPaused = startPaused;
        b.ramFile = ramFile;
        b.extraArgs.addAll(extraArgs);
        b.vsockBackend = vsockBackend.orElse(null);
        b.rtcBackend = rtcBackend.orElse(null);
        return b;
    }

    /** The same machine, ready to receive a migration stream (devices must match the source). */
    public MachineSpec asMigrationTarget(Path sharedSnapshotDisk) {
        // Not -S: an incoming QEMU resumes by itself when the source was running, as after any migration.
        return toBuilder().incoming(true).startPaused(false).snapshotDisk(sharedSnapshotDisk).build();
    }

    public boolean has(Device device) {
        return devices.contains(device);
    }

    /** The QEMU argument list for this machine, with sockets and logs inside {@code dir}. */
    public List<String> argv(Path qemu, Path dir) {
        List<String> a = new ArrayList<>();
        a.add(qemu.toString());
        a.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none", "-name", "vmclock-conformance"));
        // A vhost-user back end maps guest RAM from the file descriptors QEMU sends: it must be shared memory, the
        // RAM file when there is one, else a shared memfd.
        boolean sharedRam = ramFile || vsockBackend.isPresent() || rtcBackend.isPresent();
        a.addAll(List.of("-machine", machineType + (sharedRam ? ",memory-backend=ram" : ""), "-accel",
                accelerator.qemuName()));
        a.addAll(List.of("-m", Integer.toString(memoryMib), "-smp", Integer.toString(cpus)));
        if (ramFile) {
            // In the run directory: private (0700), and each QEMU of a machine gets its own file.
            a.addAll(List.of("-object", "memory-backend-file,id=ram,size=" + memoryMib + "M,mem-path="
                    + dir.resolve(RAM_FILE) + ",share=on"));
        } else if (sharedRam) {
            a.addAll(List.of("-object", "memory-backend-memfd,id=ram,size=" + memoryMib + "M,share=on"));
        }
        if (vsockBackend.isPresent()) {
            a.addAll(List.of("-chardev", "socket,id=vsock,path=" + dir.resolve(VsockBackend.VHOST_SOCKET),
                    "-device", (machineType.startsWith("microvm") ? "vhost-user-vsock-device" : "vhost-user-vsock-pci")
                            + ",chardev=vsock"));
        }
        a.addAll(List.of("-chardev", "socket,id=qmp,path=" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                "-mon", "chardev=qmp,mode=control"));
        a.addAll(List.of("-serial", "file:" + dir.resolve("console.log")));
        for (Device d : devices) {
            if (d == Device.VIRTIO_RTC && rtcBackend.isPresent()) {
                // The device is the back end; QEMU is only its transport (requestq and alarmq).
                a.addAll(List.of("-chardev", "socket,id=rtc,path=" + dir.resolve(RtcBackend.SOCKET),
                        "-device", RtcBackend.FRONT_END + ",chardev=rtc"));
            } else {
                a.addAll(List.of("-device", QemuDevices.name(d, machineType)));
            }
        }
        for (PageOverride o : pageOverrides) {
            a.addAll(List.of("-device", "loader,file=" + o.file() + ",addr=0x" + Long.toHexString(o.address())
                    + ",force-raw=on"));
        }
        // No flushes: the image is the run's scratch file, and savevm's fsyncs of it took 0.2-1.3 s each on
        // this machine's disk (0.1-0.2 s without); nothing the guest sees depends on the host's durability.
        snapshotDisk.ifPresent(disk -> a.addAll(List.of(
                "-blockdev", "driver=file,filename=" + dir.resolve(disk) + ",node-name=" + SNAPSHOT_NODE + "-file"
                        + ",cache.no-flush=on",
                "-blockdev", "driver=qcow2,file=" + SNAPSHOT_NODE + "-file,node-name=" + SNAPSHOT_NODE
                        + ",cache.no-flush=on")));
        kernelBoot.ifPresent(k -> {
            a.addAll(List.of("-kernel", k.kernel().toString()));
            if (k.initrd() != null) {
                a.addAll(List.of("-initrd", k.initrd().toString()));
            }
            a.addAll(List.of("-append", k.commandLine()));
        });
        if (agentPort) {
            // microvm has no PCI bus: its virtio devices sit on virtio-mmio.
            String serialBus = machineType.startsWith("microvm") ? "virtio-serial-device" : "virtio-serial-pci";
            a.addAll(List.of("-device", serialBus + ",id=vser0",
                    "-chardev", "socket,id=agent,path=" + dir.resolve("agent.sock") + ",server=on,wait=off",
                    "-device", "virtserialport,bus=vser0.0,chardev=agent,name=" + AGENT_PORT_NAME));
        }
        if (qtest) {
            a.addAll(List.of("-qtest", "unix:" + dir.resolve("qtest.sock") + ",server=on,wait=off"));
        }
        if (incoming) {
            a.addAll(List.of("-incoming", "defer"));
        }
        if (startPaused) {
            a.add("-S");
        }
        a.addAll(extraArgs);
        return List.copyOf(a);
    }

    public static final class Builder {
        private String machineType = "q35";
        private int memoryMib = 256;
        private int cpus = 1;
        private Accelerator accelerator = Accelerator.TCG;
        private final List<Device> devices = new ArrayList<>(List.of(Device.VMCLOCK));
        private final List<PageOverride> pageOverrides = new ArrayList<>();
        private KernelBoot kernelBoot;
        private boolean agentPort;
        private boolean qtest;
        private Path snapshotDisk;
        private boolean incoming;
        private boolean startPaused;
        private boolean ramFile;
        private final List<String> extraArgs = new ArrayList<>();
        private Path vsockBackend;
        private RtcBackend.CommandLine rtcBackend;

        public Builder machineType(String type) {
            this.machineType = type;
            return this;
        }

        public Builder memoryMib(int mib) {
            this.memoryMib = mib;
            return this;
        }

        public Builder cpus(int n) {
            this.cpus = n;
            return this;
        }

        public Builder accelerator(Accelerator accel) {
            this.accelerator = accel;
            return this;
        }

        /** The time devices of the machine, replacing the default (VMClock alone). */
        public Builder devices(Device... list) {
            this.devices.clear();
            this.devices.addAll(List.of(list));
            return this;
        }

        public Builder devices(List<Device> list) {
            return devices(list.toArray(Device[]::new));
        }

        /** Adds or removes VMClock, keeping the other devices. */
        public Builder vmclock(boolean present) {
            this.devices.remove(Device.VMCLOCK);
            if (present) {
                this.devices.add(0, Device.VMCLOCK);
            }
            return this;
        }

        public Builder pageOverride(PageOverride override) {
            this.pageOverrides.add(override);
            return this;
        }

        public Builder kernelBoot(KernelBoot boot) {
            this.kernelBoot = boot;
            return this;
        }

        public Builder agentPort(boolean on) {
            this.agentPort = on;
            return this;
        }

        public Builder qtest(boolean on) {
            this.qtest = on;
            return this;
        }

        /** A qcow2 image for savevm/loadvm; a relative path lives in (and is created in) the run directory. */
        public Builder snapshotDisk(Path disk) {
            this.snapshotDisk = disk;
            return this;
        }

        public Builder withSnapshotDisk() {
            return snapshotDisk(Path.of(DEFAULT_SNAPSHOT_DISK));
        }

        public Builder incoming(boolean on) {
            this.incoming = on;
            return this;
        }

        public Builder startPaused(boolean on) {
            this.startPaused = on;
            return this;
        }

        /**
         * Guest RAM in a shared file ({@value MachineSpec#RAM_FILE} in the run directory) that the host can read without QMP,
         * as it reads Cloud Hypervisor's shared memory or Firecracker's snapshot memory file. Off by default.
         */
        public Builder ramFile(boolean on) {
            this.ramFile = on;
            return this;
        }

        public Builder extraArg(String... args) {
            this.extraArgs.addAll(List.of(args));
            return this;
        }

        /**
         * A vsock device whose back end is this {@code vhost-device-vsock} binary (null: none), started beside QEMU in
         * its run directory ({@link VsockBackend}); guest RAM then lives in a shared memfd. The device is not
         * migratable: QEMU refuses savevm and every migration of such a machine.
         */
        public Builder vsockBackend(Path binary) {
            this.vsockBackend = binary;
            return this;
        }

        /**
         * The virtio-rtc device, when the machine has one, implemented by this vhost-user back end (null: QEMU's own
         * {@code virtio-rtc-pci}), started beside QEMU ({@link RtcBackend}); guest RAM then lives in a shared memfd.
         * The front end is not migratable.
         */
        public Builder rtcBackend(RtcBackend.CommandLine command) {
            this.rtcBackend = command;
            return this;
        }

        public MachineSpec build() {
            return new MachineSpec(machineType, memoryMib, cpus, accelerator, devices, pageOverrides,
                    Optional.ofNullable(kernelBoot), agentPort, qtest, Optional.ofNullable(snapshotDisk), incoming,
                    startPaused, ramFile, extraArgs, Optional.ofNullable(vsockBackend),
                    Optional.ofNullable(rtcBackend));
        }
    }
}
