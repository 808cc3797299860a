package dev.vmclock.harness.virtio;

/**
 * The device's used ring says something no conformant device can: its idx stepped back, or moved over more
 * buffers than the driver made available. The ring is no longer a record of what the device did, so the
 * request in flight cannot be judged: an error, with both indexes in the message.
 */
public final class UsedRingException extends VirtioException {

    public UsedRingException(String message) {
        super(message);
    }
}
