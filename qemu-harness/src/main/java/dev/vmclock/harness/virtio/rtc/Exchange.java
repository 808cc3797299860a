package dev.vmclock.harness.virtio.rtc;

import dev.vmclock.harness.virtio.DeviceStatus;
import dev.vmclock.harness.virtio.UsedElement;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One request and what came of it, kept as evidence: each descriptor with its guest address and bytes
 * (readable ones as sent and as found afterwards, writable ones as found afterwards), the bytes right after
 * each writable buffer (which the device must not touch), the used-ring entry if the device used the chain,
 * and the device status afterwards.
 *
 * @param availablePosition  the order in which the chain was made available (counted per driver)
 * @param availableAt        host wall-clock time right before the avail idx write that published it
 * @param usedSeenAt         host wall-clock time when the driver saw the used entry (or gave up)
 */
public record Exchange(
        RawRequest request,
        List<Placed> descriptors,
        Optional<UsedElement> used,
        int deviceStatus,
        int availablePosition,
        Instant availableAt,
        Instant usedSeenAt) {

    /** Bytes checked after each writable buffer. */
    public static final int GUARD = 16;
    /** What the guard bytes hold before the device answers. */
    public static final int GUARD_FILL = 0xee;

    /** A descriptor as placed in guest memory: {@code after} is its content once the exchange ended. */
    public record Placed(long address, int length, boolean writable, byte[] before, byte[] after, byte[] guardAfter) {
    }

    public Exchange {
        descriptors = List.copyOf(descriptors);
    }

    public boolean wasUsed() {
        return used.isPresent();
    }

    /** The used length the device reported, -1 when it never used the chain. */
    public long usedLength() {
        return used.map(UsedElement::length).orElse(-1L);
    }

    public boolean needsReset() {
        return (deviceStatus & DeviceStatus.DEVICE_NEEDS_RESET) != 0;
    }

    /** The device-writable bytes after the exchange, concatenated in chain order. */
    public byte[] writtenBytes() {
        byte[] all = new byte[0];
        for (Placed p : descriptors) {
            if (p.writable()) {
                int n = all.length;
                all = Arrays.copyOf(all, n + p.after().length);
                System.arraycopy(p.after(), 0, all, n, p.after().length);
            }
        }
        return all;
    }

    /** The writable bytes decoded as the response to the request's message type. */
    public RtcResponse response() {
        return new RtcResponse(request.decodeAs().orElse(MsgType.REQ_CFG), writtenBytes());
    }

    /** True when every device-readable buffer still holds what the driver put there. */
    public boolean readableBuffersUntouched() {
        return descriptors.stream().filter(p -> !p.writable()).allMatch(p -> Arrays.equals(p.before(), p.after()));
    }

    /** True when the bytes right after every writable buffer still hold the guard pattern. */
    public boolean guardsIntact() {
        return descriptors.stream().filter(Placed::writable).allMatch(p -> {
            for (byte b : p.guardAfter()) {
                if ((b & 0xff) != GUARD_FILL) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The exchange as text: one line per descriptor, then the used entry and the device status. */
    public String describe() {
        HexFormat hex = HexFormat.ofDelimiter(" ");
        StringBuilder sb = new StringBuilder();
        sb.append("request ").append(request.decodeAs().map(Enum::name).orElse("raw"))
                .append(", available #").append(availablePosition).append(" at ").append(availableAt).append('\n');
        for (Placed p : descriptors) {
            sb.append(String.format("  %s desc 0x%x len %d: %s%n", p.writable() ? "W" : "R", p.address(), p.length(),
                    hex.formatHex(p.writable() ? p.after() : p.before())));
            if (!p.writable() && !Arrays.equals(p.before(), p.after())) {
                sb.append("    changed by the device to: ").append(hex.formatHex(p.after())).append('\n');
            }
            if (p.writable()) {
                sb.append("    next ").append(GUARD).append(" bytes: ").append(hex.formatHex(p.guardAfter())).append('\n');
            }
        }
        sb.append(used.map(u -> "  used: id " + u.head() + " len " + u.length() + " (used #" + u.position() + ") seen at "
                + usedSeenAt).orElse("  NOT USED (gave up at " + usedSeenAt + ")")).append('\n');
        if (wasUsed()) {
            sb.append("  response: ").append(response()).append('\n');
        }
        sb.append("  device status after: ").append(DeviceStatus.describe(deviceStatus)).append('\n');
        return sb.toString();
    }
}
