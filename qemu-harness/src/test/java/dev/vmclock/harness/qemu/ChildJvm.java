package dev.vmclock.harness.qemu;

import dev.vmclock.harness.Qemu;

/**
 * Run in a separate JVM by {@link TeardownTest}: starts one QEMU, prints its pid, then either waits to
 * be killed ({@code wait}) or, once its parent writes a line, leaves main without closing anything ({@code exit}).
 */
public final class ChildJvm {
    public static void main(String[] args) throws Exception {
        QemuVm vm = QemuVm.start(Qemu.binary(), MachineSpec.builder().build());
        System.out.println("QEMU_PID=" + vm.pid());
        System.out.flush();
        if (args.length > 0 && args[0].equals("exit")) {
            System.in.read(); // the parent has seen QEMU running: only now leave (else the check races the exit)
            System.exit(0);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
