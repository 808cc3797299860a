package dev.vmclock.harness.virtio;

/**
 * The device did not use the buffers it was given before the deadline. The message says what was seen:
 * the used index, how many buffers were expected, and the device status (DEVICE_NEEDS_RESET when the
 * device gave up on the request).
 */
public final class NoUsedBufferException extends VirtioException {

    private final int deviceStatus;

    public NoUsedBufferException(String message, int deviceStatus) {
        super(message);
        this.deviceStatus = deviceStatus;
    }

    public int deviceStatus() {
        return deviceStatus;
    }

    public boolean needsReset() {
        return (deviceStatus & DeviceStatus.DEVICE_NEEDS_RESET) != 0;
    }
}
