package dev.vmclock.harness.virtio;

/**
 * One virtio vendor-specific PCI capability ({@code struct virtio_pci_cap}, virtio 1.x §4.1.4): where a
 * configuration structure lives in which BAR.
 *
 * @param notifyOffMultiplier only for {@link #NOTIFY_CFG}: queue_notify_off is scaled by it
 */
public record VirtioPciCap(int configOffset, int cfgType, int bar, long offset, long length, long notifyOffMultiplier) {

    public static final int VENDOR_SPECIFIC = 0x09;
    public static final int COMMON_CFG = 1;
    public static final int NOTIFY_CFG = 2;
    public static final int ISR_CFG = 3;
    public static final int DEVICE_CFG = 4;
    public static final int PCI_CFG = 5;

    public String typeName() {
        return switch (cfgType) {
            case COMMON_CFG -> "common";
            case NOTIFY_CFG -> "notify";
            case ISR_CFG -> "isr";
            case DEVICE_CFG -> "device";
            case PCI_CFG -> "pci";
            default -> "type " + cfgType;
        };
    }
}
