package dev.vmclock.harness.memory;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * Where an x86 guest's RAM sits in guest-physical space, and so where each byte of it is in a file that holds the RAM
 * as one block (QEMU's {@code memory-backend-file}, Firecracker's snapshot memory file, Cloud Hypervisor's shared
 * memory): the first {@link #belowFourGiB} bytes at guest-physical 0, the rest from 4 GiB up. File offset =
 * guest-physical address below the split; {@code belowFourGiB + (address - 4 GiB)} above it. Everything else (the
 * PCI/MMIO hole below 4 GiB, device memory such as QEMU's VMClock page, anything past the end) is not in the file.
 *
 * <p>The legacy window 0xa0000-0xfffff is part of the first block: the file holds the RAM there even when the
 * chipset shows the guest something else (ROM or VGA before firmware has set PAM; QEMU 10.0 on q35 maps all of it to
 * the RAM once SeaBIOS has run, seen in {@code info mtree -f}).
 */
public record RamLayout(long belowFourGiB, long total) {

    public static final long FOUR_GIB = 1L << 32;

    public RamLayout {
        if (total <= 0 || belowFourGiB <= 0 || belowFourGiB > total || belowFourGiB > FOUR_GIB) {
            throw new IllegalArgumentException(String.format("not an x86 RAM layout: 0x%x below 4 GiB of 0x%x",
                    belowFourGiB, total));
        }
    }

    /**
     * QEMU's q35 ({@code hw/i386/pc_q35.c}, {@code pc_q35_init}): all RAM below 4 GiB while it is smaller than
     * 0xb0000000 (2.75 GiB), else 2 GiB below and the rest above. Measured on 10.0.2: 2815 MiB all below, 2816 MiB
     * splits at 2 GiB. Assumes no {@code max-ram-below-4g} machine option.
     */
    public static RamLayout q35(long ramBytes) {
        return new RamLayout(ramBytes < 0xb0000000L ? ramBytes : 0x80000000L, ramBytes);
    }

    /**
     * QEMU's pc/i440fx ({@code hw/i386/pc_piix.c}, {@code pc_init1}; gigabyte_align, every machine type QEMU 10 still
     * has): all RAM below 4 GiB while it is smaller than 0xe0000000 (3.5 GiB), else 3 GiB below and the rest above.
     * Measured on 10.0.2: 3072 MiB all below, 3584 MiB splits at 3 GiB.
     */
    public static RamLayout pc(long ramBytes) {
        return new RamLayout(ramBytes < 0xe0000000L ? ramBytes : 0xc0000000L, ramBytes);
    }

    /** The layout of a QEMU machine type (q35, pc and their versioned names); others are refused with the reason. */
    public static RamLayout ofQemuMachine(String machineType, long ramBytes) {
        String t = machineType.toLowerCase(Locale.ROOT);
        if (t.equals("q35") || t.startsWith("pc-q35-")) {
            return q35(ramBytes);
        }
        if (t.equals("pc") || t.startsWith("pc-i440fx-")) {
            return pc(ramBytes);
        }
        throw new IllegalArgumentException("no known RAM layout for QEMU machine type " + machineType
                + " (known: q35, pc and their versioned names)");
    }

    public long aboveFourGiB() {
        return total - belowFourGiB;
    }

    /** The file offset of guest-physical {@code address}, empty when that address is not RAM. */
    public OptionalLong fileOffset(long address) {
        if (address >= 0 && address < belowFourGiB) {
            return OptionalLong.of(address);
        }
        if (address >= FOUR_GIB && address - FOUR_GIB < aboveFourGiB()) {
            return OptionalLong.of(belowFourGiB + (address - FOUR_GIB));
        }
        return OptionalLong.empty();
    }

    /** The guest-physical end of the contiguous RAM run holding {@code address} (which must be RAM). */
    long runEnd(long address) {
        return address < belowFourGiB ? belowFourGiB : FOUR_GIB + aboveFourGiB();
    }

    @Override
    public String toString() {
        return aboveFourGiB() == 0 ? String.format("RAM 0x0-0x%x", belowFourGiB - 1)
                : String.format("RAM 0x0-0x%x and 0x%x-0x%x", belowFourGiB - 1, FOUR_GIB, FOUR_GIB + aboveFourGiB() - 1);
    }
}
