package dev.vmclock.harness.qemu;

import java.nio.file.Path;

/**
 * Raw bytes that QEMU's generic loader writes over guest-physical memory at reset
 * ({@code -device loader,file=,addr=,force-raw=on}): a static fault injected into the VMClock page
 * without rebuilding QEMU.
 */
public record PageOverride(Path file, long address) {
}
