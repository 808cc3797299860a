package dev.vmclock.harness.virtio.rtc;

/**
 * The outcome of one initialization (virtio 1.x §3.1.1): what the device offered, what the driver accepted,
 * the device status read back after FEATURES_OK, and the queues the device exposes.
 */
public record Negotiation(long offered, long accepted, int statusAfterFeaturesOk, int numQueues,
                          int requestQueueSize, int alarmQueueSize) {

    public boolean offers(int bit) {
        return (offered & (1L << bit)) != 0;
    }

    public boolean accepted(int bit) {
        return (accepted & (1L << bit)) != 0;
    }

    public boolean alarm() {
        return accepted(VirtioRtcDriver.F_ALARM);
    }
}
