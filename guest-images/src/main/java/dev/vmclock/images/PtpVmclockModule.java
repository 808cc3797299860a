package dev.vmclock.images;

/**
 * Which {@code ptp_vmclock.ko} the image carries: Debian's own (the kernel package's), or a deliberately broken
 * build for the suite's self-test. Each choice is its own cached image: the choice is part of the recipe hash.
 */
public enum PtpVmclockModule {
    /** The module of the kernel package, as Debian built it. */
    STOCK("stock"),
    /**
     * {@code drivers/ptp/ptp_vmclock.c} of the kernel's own {@code linux-source} with the recipe's
     * {@code kmod/ptp_vmclock/*.patch} applied, built out of tree in the kernel-module build image. Every defect is
     * off (the stock driver) until named, comma-separated, in the module parameter {@code fault} or, as the suite
     * does it, in the SMBIOS OEM string {@value #FAULT_OEM_STRING}{@code NAME[,NAME]} (see {@link #smbiosArgument}),
     * so one image serves every defect and the host picks them per boot.
     */
    BROKEN("broken");

    /** The SMBIOS type 11 (OEM strings) entry the broken module reads its faults from. */
    public static final String FAULT_OEM_STRING = "ptp_vmclock.fault=";

    private final String recipeName;

    PtpVmclockModule(String recipeName) {
        this.recipeName = recipeName;
    }

    /** The value build-image.sh takes in {@code VMCLOCK_PTP_VMCLOCK}. */
    public String recipeName() {
        return recipeName;
    }

    /** The QEMU option that turns on {@code faults} (the patches' names) in the broken module of the booted guest. */
    public static String smbiosArgument(String... faults) {
        return "type=11,value=" + FAULT_OEM_STRING + String.join(",,", faults);
    }
}
