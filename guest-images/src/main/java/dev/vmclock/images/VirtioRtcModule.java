package dev.vmclock.images;

/**
 * Whether the image carries {@code virtio_rtc.ko}, built out of tree from the image kernel's own
 * {@code linux-source} and headers (Debian's kernels lack {@code CONFIG_VIRTIO_RTC}), and which build.
 * Each choice is its own cached image: the choice is part of the recipe hash.
 */
public enum VirtioRtcModule {
    /** No virtio_rtc.ko (the VMClock-only image; needs no container). */
    NONE("none"),
    /** Linux's driver as released, PTP clock and RTC class parts on. */
    STOCK("stock"),
    /**
     * A deliberately broken driver for the suite's self-test (a guest-level fault): one line added to
     * {@code viortc_read()} makes every second reading of any clock 250 ms early, so time jumps back and
     * forth and disagrees with the host.
     */
    BROKEN_STEPS_BACK("broken-steps-back");

    private final String recipeName;

    VirtioRtcModule(String recipeName) {
        this.recipeName = recipeName;
    }

    /** The value build-image.sh takes in {@code VMCLOCK_VIRTIO_RTC}. */
    public String recipeName() {
        return recipeName;
    }
}
