package dev.vmclock.harness.guest;

/**
 * The agent's {@code version}: the guest kernel and what each time device's driver did.
 *
 * @param driverLoaded   ptp_vmclock is loaded ({@code /sys/module/ptp_vmclock})
 * @param devicePresent  {@code /dev/vmclock0} exists (the driver accepted the VMClock page)
 * @param virtioRtc      the virtio-rtc devices on the guest's virtio bus and the virtio_rtc driver
 */
public record AgentVersion(String kernel, boolean driverLoaded, String driverSrcversion, boolean devicePresent,
                           VirtioRtcDriver virtioRtc, String agent) {

    /**
     * @param devices          virtio devices with device id 17 (RTC)
     * @param bound            how many of them the virtio_rtc driver bound
     * @param driverRegistered the virtio_rtc driver exists in the guest (a loaded module or built in)
     * @param srcversion       the module's srcversion, null when built in or absent
     */
    public record VirtioRtcDriver(int devices, int bound, boolean driverRegistered, String srcversion) {
    }
}
