package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.Descriptor;
import dev.vmclock.harness.virtio.Le;
import dev.vmclock.harness.virtio.VirtioPciDevice;
import dev.vmclock.harness.virtio.rtc.MsgType;
import dev.vmclock.harness.virtio.rtc.Status;
import java.time.Instant;

/**
 * QEMU 11.1's device with the alarm it lacks, so that the alarm checks have a device to judge: VIRTIO_RTC_F_ALARM
 * offered, a second queue (the alarmq) kept in guest memory by this wrapper, VIRTIO_RTC_FLAG_ALARM_CAP on clock 0,
 * and the alarm requests answered (in place of QEMU's EOPNOTSUPP) when the feature was negotiated; without it
 * QEMU's own answers stay. The alarm runs on the host's UTC, which QEMU's clock 0 reads. Expirations follow the
 * section's device rules (reached while enabled, set or enabled when already reached, a reset that retains an
 * enabled reached alarm), are served as soon as an alarmq buffer is available, and a disabled alarm's pending
 * expiration is dropped; alarms are retained across resets. As a fault it fails nothing beyond the stock
 * deviations; its subclasses break one rule each through the hooks.
 */
class AlarmDevice extends ResponseRewriter {

    static final int ALARM_CAP = 1;
    static final int ENABLED = 1;
    private static final int ALARMQ_MAX = 16;

    private long deviceSelect;
    private long driverSelect;
    private int queueSelect;
    private boolean negotiated;

    private int qSize = ALARMQ_MAX;
    private long qDesc = -1;
    private long qAvail = -1;
    private long qUsed = -1;
    private int lastAvail;
    private int usedIdx;

    /** The alarm of clock 0. */
    long alarmTime;
    boolean enabled;
    /** Whether the current alarm already expired (an alarm expires once per set or enable). */
    boolean expired;
    /** Expirations not yet notified. */
    int pending;

    AlarmDevice(IoBus device) {
        super(device);
    }

    static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    // Hooks the faults override.

    /** Whether the enabled alarm has expired at {@code now}. */
    boolean reached(long now) {
        return Long.compareUnsigned(now, alarmTime) >= 0;
    }

    /** SET_ALARM: the status it answers (OK executes it). */
    int setAlarm(long time, int flags) {
        alarmTime = time;
        enable((flags & ENABLED) != 0, true);
        return Status.OK.code();
    }

    /** SET_ALARM_ENABLED. */
    void setAlarmEnabled(int flags) {
        enable((flags & ENABLED) != 0, false);
    }

    /** READ_ALARM's alarm_time and flags. */
    long readAlarmTime() {
        return alarmTime;
    }

    int readAlarmFlags() {
        return enabled ? ENABLED : 0;
    }

    /** How the alarm survives a reset: retained; a retained enabled alarm already reached expires (again). */
    void onDeviceReset() {
        pending = 0;
        if (enabled && reached(now())) {
            expired = true;
            pending = 1;
        }
    }

    /** Notifications one expiration is served with. */
    int notificationsPerExpiration() {
        return 1;
    }

    /** The 16-byte struct virtio_rtc_notif_alarm for clock 0. */
    byte[] notification() {
        byte[] n = new byte[MsgType.NOTIF_ALARM.responseSize()];
        Le.putShort(n, 0, MsgType.NOTIF_ALARM.code());
        Le.putShort(n, 8, 0);
        return n;
    }

    /** CLOCK_CAP flags of clock 0 with the feature negotiated. */
    int clockCapFlags(int flags) {
        return flags | ALARM_CAP;
    }

    /** Enables or disables; {@code set} for SET_ALARM (a new alarm), else SET_ALARM_ENABLED. */
    void enable(boolean on, boolean set) {
        if (!on) {
            enabled = false;
            pending = 0; // a disabled alarm's expiration is no longer served
            return;
        }
        if (set || !enabled) {
            expired = false; // set, or enabled: reaching the time (already or later) is an expiration
        }
        enabled = true;
    }

    /** The device's alarm logic, run whenever the driver touches it. */
    void tick() {
        if (enabled && !expired && reached(now())) {
            expired = true;
            pending += notificationsPerExpiration();
        }
        serve();
    }

    private void serve() {
        if (qUsed < 0) {
            return;
        }
        while (pending > 0 && device.readw(qAvail + 2) != lastAvail) {
            int head = device.readw(qAvail + 4 + 2L * (lastAvail % qSize));
            lastAvail = (lastAvail + 1) & 0xffff;
            byte[] d = device.read(qDesc + (long) Descriptor.SIZE * head, Descriptor.SIZE);
            byte[] n = notification();
            int len = (int) Math.min(n.length, Le.u32(d, 8));
            byte[] part = new byte[len];
            System.arraycopy(n, 0, part, 0, len);
            device.write(Le.u64(d, 0), part);
            long entry = qUsed + 4 + 8L * (usedIdx % qSize);
            device.writel(entry, head);
            device.writel(entry + 4, len);
            usedIdx = (usedIdx + 1) & 0xffff;
            device.writew(qUsed + 2, usedIdx);
            pending--;
        }
    }

    @Override
    void rewrite(Response r) {
        if (negotiated && r.clockId() == 0 && r.status() == Status.OK.code() && RequestFaults.is(r, MsgType.REQ_CLOCK_CAP)
                && r.bytes.length > 10) {
            r.bytes[10] = (byte) clockCapFlags(r.bytes[10] & 0xff);
        }
        MsgType t = MsgType.of(r.msgType).orElse(null);
        if (!negotiated || t == null || !t.isAlarmRequest() || r.bytes.length < 8 || r.request.length < t.requestSize()) {
            tick();
            return;
        }
        if (r.clockId() != 0) {
            r.answer(Status.ENODEV.code(), 8);
        } else if (t == MsgType.REQ_READ_ALARM) {
            r.answer(Status.OK.code(), t.responseSize());
            Le.putLong(r.bytes, 8, readAlarmTime());
            r.bytes[16] = (byte) readAlarmFlags();
        } else if (t == MsgType.REQ_SET_ALARM) {
            int status = setAlarm(Le.u64(r.request, 8), r.request[18] & 0xff);
            r.answer(status, t.responseSize());
        } else {
            setAlarmEnabled(r.request[10] & 0xff);
            r.answer(Status.OK.code(), t.responseSize());
        }
        tick();
    }

    // The transport: the feature bit, num_queues and queue 1, which QEMU's device does not have.

    @Override
    public void writeb(long address, int value) {
        super.writeb(address, value);
        if (isCommon(address, VirtioPciDevice.DEVICE_STATUS) && value == 0) {
            negotiated = false;
            qDesc = qAvail = qUsed = -1;
            qSize = ALARMQ_MAX;
            lastAvail = 0;
            usedIdx = 0;
            onDeviceReset();
        }
    }

    @Override
    public void writel(long address, long value) {
        if (isCommon(address, VirtioPciDevice.DEVICE_FEATURE_SELECT)) {
            deviceSelect = value;
        } else if (isCommon(address, VirtioPciDevice.DRIVER_FEATURE_SELECT)) {
            driverSelect = value;
        } else if (isCommon(address, VirtioPciDevice.DRIVER_FEATURE) && driverSelect == 0) {
            negotiated = (value & 1) != 0;
            value &= ~1L; // QEMU's device is told only what it offered itself
        }
        super.writel(address, value);
    }

    @Override
    public long readl(long address) {
        long v = super.readl(address);
        return isCommon(address, VirtioPciDevice.DEVICE_FEATURE) && deviceSelect == 0 ? v | 1 : v;
    }

    @Override
    public void writew(long address, int value) {
        if (isCommon(address, VirtioPciDevice.QUEUE_SELECT)) {
            queueSelect = value;
        }
        if (queueSelect == 1 && isCommon(address, VirtioPciDevice.QUEUE_SIZE)) {
            qSize = value;
            return;
        }
        if (queueSelect == 1 && (isCommon(address, VirtioPciDevice.QUEUE_ENABLE)
                || isCommon(address, VirtioPciDevice.QUEUE_MSIX_VECTOR))) {
            return;
        }
        super.writew(address, value);
        if (qAvail >= 0 && address == qAvail + 2) {
            tick(); // new alarmq buffers: serve what is pending
        }
    }

    @Override
    public int readw(long address) {
        if (isCommon(address, VirtioPciDevice.NUM_QUEUES)) {
            return Math.max(2, super.readw(address));
        }
        if (queueSelect == 1 && isCommon(address, VirtioPciDevice.QUEUE_SIZE)) {
            return qUsed >= 0 ? qSize : ALARMQ_MAX;
        }
        if (queueSelect == 1 && isCommon(address, VirtioPciDevice.QUEUE_ENABLE)) {
            return qUsed >= 0 ? 1 : 0;
        }
        if (qUsed >= 0 && address == qUsed + 2) {
            tick();
        }
        return super.readw(address);
    }

    @Override
    public void writeq(long address, long value) {
        if (queueSelect == 1 && (isCommon(address, VirtioPciDevice.QUEUE_DESC) || isCommon(address, VirtioPciDevice.QUEUE_DRIVER)
                || isCommon(address, VirtioPciDevice.QUEUE_DEVICE))) {
            if (isCommon(address, VirtioPciDevice.QUEUE_DESC)) {
                qDesc = value;
            } else if (isCommon(address, VirtioPciDevice.QUEUE_DRIVER)) {
                qAvail = value;
            } else {
                qUsed = value;
            }
            return;
        }
        super.writeq(address, value);
    }
}
