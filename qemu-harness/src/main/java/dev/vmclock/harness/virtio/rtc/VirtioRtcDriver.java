package dev.vmclock.harness.virtio.rtc;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.DeviceStatus;
import dev.vmclock.harness.virtio.Descriptor;
import dev.vmclock.harness.virtio.NoUsedBufferException;
import dev.vmclock.harness.virtio.SplitQueue;
import dev.vmclock.harness.virtio.UsedElement;
import dev.vmclock.harness.virtio.VirtioException;
import dev.vmclock.harness.virtio.VirtioPciDevice;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A virtio-rtc driver running on the host, reaching the device over an {@link IoBus} (qtest) as a guest
 * kernel would: it initializes the device (reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues,
 * DRIVER_OK), places request chains in guest RAM, kicks, and polls the used ring with a deadline. The
 * alarmq, when VIRTIO_RTC_F_ALARM is negotiated, is kept populated with notification buffers.
 *
 * <p>Guest RAM it uses (the machine runs no guest code): the requestq at 1 MiB, the alarmq at 1 MiB + 64 KiB,
 * alarm buffers at 1.25 MiB, request buffers from 2 MiB.
 */
public final class VirtioRtcDriver {

    /** virtio device id of the RTC device. */
    public static final int DEVICE_ID = 17;
    public static final int F_ALARM = 0;
    public static final int F_VERSION_1 = 32;
    public static final int REQUESTQ = 0;
    public static final int ALARMQ = 1;
    /** Where the driver maps the device's BARs (no firmware assigned them). */
    public static final long MMIO_BASE = 0xe0000000L;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private static final long REQUESTQ_BASE = 0x100000;
    private static final long ALARMQ_BASE = 0x110000;
    private static final long ALARM_BUFFERS = 0x140000;
    private static final long ARENA = 0x200000;
    private static final long ARENA_END = 0x400000;
    private static final int MAX_QUEUE = 64;
    private static final int ALARM_BUFFER_SIZE = 64;

    private final IoBus bus;
    private final VirtioPciDevice device;
    private final List<Consumer<Exchange>> listeners = new CopyOnWriteArrayList<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private SplitQueue requestq;
    private SplitQueue alarmq;
    private Negotiation negotiation;
    private long arenaCursor = ARENA;
    private int availableCount;
    private final Map<Integer, Long> alarmBufferByHead = new java.util.HashMap<>();

    private VirtioRtcDriver(IoBus bus, VirtioPciDevice device) {
        this.bus = bus;
        this.device = device;
    }

    /** The driver for the first virtio-rtc PCI function on the machine, empty when it has none. */
    public static Optional<VirtioRtcDriver> attach(IoBus bus) {
        return VirtioPciDevice.find(bus, DEVICE_ID, MMIO_BASE).map(d -> new VirtioRtcDriver(bus, d));
    }

    public VirtioPciDevice device() {
        return device;
    }

    public IoBus bus() {
        return bus;
    }

    public Optional<Negotiation> negotiation() {
        return Optional.ofNullable(negotiation);
    }

    public int deviceStatus() {
        return device.status();
    }

    /** How long exchanges wait for the used ring. */
    public void timeout(Duration t) {
        this.timeout = t;
    }

    /** Called with every exchange as it completes (evidence). */
    public void onExchange(Consumer<Exchange> listener) {
        listeners.add(listener);
    }

    /**
     * Resets the device and initializes it again, accepting VIRTIO_F_VERSION_1 and, when offered and
     * {@code alarm} is true, VIRTIO_RTC_F_ALARM; with the alarmq populated with {@code alarmBuffers} buffers.
     * Throws when the device refuses FEATURES_OK (the driver cannot go on).
     */
    public Negotiation initialize(boolean alarm, int alarmBuffers) {
        device.reset(Duration.ofSeconds(1));
        device.status(DeviceStatus.ACKNOWLEDGE);
        device.status(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        long offered = device.deviceFeatures();
        // Without VIRTIO_F_VERSION_1 a driver MAY stop (virtio 1.x §6.1); this one goes on over the modern
        // transport, so that the device's other rules are still judged: the missing bit is a verdict, not an error.
        long accept = (offered & (1L << F_VERSION_1)) | (alarm ? offered & (1L << F_ALARM) : 0);
        device.driverFeatures(accept);
        device.status(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK);
        int afterFeaturesOk = device.status();
        if ((afterFeaturesOk & DeviceStatus.FEATURES_OK) == 0) {
            device.status(DeviceStatus.FAILED);
            throw new VirtioException("the device cleared FEATURES_OK for features 0x" + Long.toHexString(accept)
                    + " it offered (status " + DeviceStatus.describe(afterFeaturesOk) + ")");
        }
        device.noConfigInterrupts();
        int numQueues = device.numQueues();
        int reqSize = device.queueSize(REQUESTQ);
        if (reqSize == 0) {
            throw new VirtioException("the device has no requestq (queue 0 size 0, num_queues " + numQueues + ")");
        }
        requestq = device.setUpQueue(REQUESTQ, Math.min(reqSize, MAX_QUEUE), REQUESTQ_BASE);
        int alarmSize = numQueues > ALARMQ ? device.queueSize(ALARMQ) : 0;
        alarmq = null;
        alarmBufferByHead.clear();
        if ((accept & (1L << F_ALARM)) != 0 && alarmSize > 0) {
            alarmq = device.setUpQueue(ALARMQ, Math.min(alarmSize, MAX_QUEUE), ALARMQ_BASE);
        }
        device.status(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        arenaCursor = ARENA;
        negotiation = new Negotiation(offered, accept, afterFeaturesOk, numQueues, reqSize, alarmSize);
        if (alarmq != null) {
            postAlarmBuffers(alarmBuffers);
        }
        return negotiation;
    }

    /** Makes {@code n} more notification buffers available on the alarmq. */
    public void postAlarmBuffers(int n) {
        if (alarmq == null) {
            throw new IllegalStateException("no alarmq: VIRTIO_RTC_F_ALARM was not negotiated");
        }
        List<Integer> heads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long addr = ALARM_BUFFERS + (long) (alarmBufferByHead.size() % MAX_QUEUE) * ALARM_BUFFER_SIZE;
            byte[] fill = new byte[ALARM_BUFFER_SIZE];
            Arrays.fill(fill, (byte) RawRequest.DEFAULT_FILL);
            bus.write(addr, fill);
            int head = alarmq.add(List.of(new Descriptor(addr, ALARM_BUFFER_SIZE, true)));
            alarmBufferByHead.put(head, addr);
            heads.add(head);
        }
        alarmq.publish(heads);
        alarmq.kick();
    }

    public boolean hasAlarmQueue() {
        return alarmq != null;
    }

    /**
     * Notifications the device used on the alarmq within {@code within} (returns early once {@code atLeast}
     * arrived); the buffers are not re-posted.
     */
    public List<RtcResponse> alarmNotifications(Duration within, int atLeast) {
        if (alarmq == null) {
            return List.of();
        }
        long deadline = System.nanoTime() + within.toNanos();
        List<RtcResponse> out = new ArrayList<>();
        do {
            for (UsedElement u : alarmq.pollUsed()) {
                Long addr = alarmBufferByHead.remove(u.head());
                byte[] b = addr == null ? new byte[0] : bus.read(addr, (int) Math.min(u.length(), ALARM_BUFFER_SIZE));
                out.add(new RtcResponse(MsgType.NOTIF_ALARM, b));
            }
            if (out.size() >= atLeast && atLeast > 0) {
                break;
            }
            sleep(5);
        } while (System.nanoTime() < deadline);
        return out;
    }

    /** One typed request in exactly sized buffers; a device that does not use it in time is an error. */
    public RtcResponse request(RtcRequest request) {
        Exchange e = exchange(RawRequest.of(request));
        if (!e.wasUsed()) {
            throw new NoUsedBufferException("the device did not answer " + request + ":\n" + e.describe(), e.deviceStatus());
        }
        return e.response();
    }

    public Exchange exchange(RawRequest request) {
        return exchangeAll(List.of(request)).get(0);
    }

    /**
     * Makes all chains available at once (one avail idx write, one notification), in list order, and waits
     * for all of them. Chains the device did not use within the timeout come back unused, with the device
     * status: the caller decides what that means.
     */
    public List<Exchange> exchangeAll(List<RawRequest> requests) {
        if (requestq == null) {
            throw new IllegalStateException("initialize() first");
        }
        List<List<Placement>> placements = new ArrayList<>();
        List<Integer> heads = new ArrayList<>();
        for (RawRequest r : requests) {
            List<Placement> ps = place(r);
            placements.add(ps);
            heads.add(requestq.add(ps.stream().map(p -> new Descriptor(p.address, p.segment.length(), p.segment.writable()))
                    .toList()));
        }
        Instant available = Instant.now();
        int firstPosition = availableCount;
        availableCount += requests.size();
        requestq.publish(heads);
        requestq.kick();
        List<UsedElement> used;
        try {
            used = requestq.awaitUsed(requests.size(), timeout);
        } catch (NoUsedBufferException e) {
            used = new ArrayList<>(requestq.pollUsed());
        }
        Instant seen = Instant.now();
        int status = device.status();
        List<Exchange> out = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            int head = heads.get(i);
            Optional<UsedElement> u = used.stream().filter(x -> x.head() == head).findFirst();
            List<Exchange.Placed> placed = placements.get(i).stream().map(p -> new Exchange.Placed(p.address,
                    p.segment.length(), p.segment.writable(), p.before, bus.read(p.address, p.segment.length()),
                    p.segment.writable() ? bus.read(p.address + p.segment.length(), Exchange.GUARD) : new byte[0]))
                    .toList();
            Exchange e = new Exchange(requests.get(i), placed, u, status, firstPosition + i, available, seen);
            out.add(e);
            listeners.forEach(l -> l.accept(e));
        }
        return out;
    }

    private record Placement(Segment segment, long address, byte[] before) {
    }

    private List<Placement> place(RawRequest r) {
        List<Placement> out = new ArrayList<>();
        for (Segment s : r.segments()) {
            long need = s.length() + Exchange.GUARD + 16L;
            if (arenaCursor + need > ARENA_END) {
                arenaCursor = ARENA;
            }
            long addr = arenaCursor;
            arenaCursor = (arenaCursor + need + 15) & -16L;
            byte[] before;
            if (s instanceof Segment.Readable rd) {
                before = rd.bytes();
            } else {
                before = new byte[s.length()];
                Arrays.fill(before, (byte) r.fill());
                byte[] guard = new byte[Exchange.GUARD];
                Arrays.fill(guard, (byte) Exchange.GUARD_FILL);
                bus.write(addr + s.length(), guard);
            }
            if (before.length > 0) {
                bus.write(addr, before);
            }
            out.add(new Placement(s, addr, before));
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtioException("interrupted while waiting for the alarmq");
        }
    }
}
