package dev.vmclock.harness.virtio;

import java.util.ArrayList;
import java.util.List;

/** The bits of the virtio {@code device status} field (virtio 1.x §2.1). */
public final class DeviceStatus {

    public static final int ACKNOWLEDGE = 1;
    public static final int DRIVER = 2;
    public static final int DRIVER_OK = 4;
    public static final int FEATURES_OK = 8;
    public static final int DEVICE_NEEDS_RESET = 64;
    public static final int FAILED = 128;

    private DeviceStatus() {
    }

    /** {@code 0x0f (ACKNOWLEDGE|DRIVER|DRIVER_OK|FEATURES_OK)}. */
    public static String describe(int status) {
        List<String> names = new ArrayList<>();
        String[] n = {"ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK", "bit4", "bit5", "DEVICE_NEEDS_RESET", "FAILED"};
        for (int i = 0; i < 8; i++) {
            if ((status & (1 << i)) != 0) {
                names.add(n[i]);
            }
        }
        return String.format("0x%02x (%s)", status, names.isEmpty() ? "reset" : String.join("|", names));
    }
}
