package dev.vmclock.conformance.view;

import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.conformance.vm.Evidence;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.ExitCode;
import org.opentest4j.TestAbortedException;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.virtio.rtc.ClockType;
import dev.vmclock.harness.virtio.rtc.Exchange;
import dev.vmclock.harness.virtio.rtc.Negotiation;
import dev.vmclock.harness.virtio.rtc.RawRequest;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import dev.vmclock.harness.virtio.rtc.Status;
import dev.vmclock.harness.virtio.rtc.VirtioRtcDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The virtio-rtc device as the suite's own driver sees it (device level, no guest): on the target's device bus
 * ({@link VmTarget#deviceBus}; QEMU: a guest-less QEMU with {@code virtio-rtc-pci} per run, reached over qtest). Before each check the device is reset and
 * initialized again, so no verdict depends on what an earlier check left behind; every exchange of the
 * check lands in its evidence directory ({@code exchanges.txt}).
 */
public final class VirtioRtcView {

    private final VmTarget target;
    private final Path evidenceRoot;
    private DeviceBus bus;
    private VirtioRtcDriver driver;
    private Evidence evidence;
    private Negotiation negotiation;

    /** {@code evidenceRoot}: where each check's evidence directory goes. */
    public VirtioRtcView(VmTarget target, Path evidenceRoot) {
        this.target = target;
        this.evidenceRoot = evidenceRoot;
    }

    /** The suite's driver, bound to the device (and to the fault between them, if one is configured). */
    public VirtioRtcDriver driver() {
        requireDevice();
        return driver;
    }

    /** What this check's initialization negotiated. */
    public Negotiation negotiation() {
        requireDevice();
        return negotiation;
    }

    public long offeredFeatures() {
        return negotiation().offered();
    }

    public long negotiatedFeatures() {
        return negotiation().accepted();
    }

    /** NOT_APPLICABLE unless the device offered (and so the driver negotiated) VIRTIO_RTC_F_ALARM. */
    public void requireAlarm() {
        if (!negotiation().alarm()) {
            throw NotApplicable.because("the device does not offer VIRTIO_RTC_F_ALARM (bit 0; offered features 0x"
                    + Long.toHexString(negotiation.offered()) + ")");
        }
    }

    /**
     * Resets the device and initializes it again; {@code alarm} false leaves VIRTIO_RTC_F_ALARM out even when
     * offered. Returns the new negotiation.
     */
    public Negotiation renegotiate(boolean alarm, int alarmBuffers) {
        requireDevice();
        negotiation = driver.initialize(alarm, alarmBuffers);
        evidence.note("initialized: " + describe(negotiation));
        return negotiation;
    }

    /** A typed request in exactly sized buffers; unused within the bound is an ERROR (no verdict). */
    public RtcResponse request(RtcRequest request) {
        return driver().request(request);
    }

    public Exchange exchange(RawRequest request) {
        return driver().exchange(request);
    }

    public List<Exchange> exchangeAll(List<RawRequest> requests) {
        return driver().exchangeAll(requests);
    }

    /** clock_reading of a READ of the clock; NOT_APPLICABLE naming VRTC-READ-02 when the READ is not answered OK. */
    public long reading(int clockId) {
        return reading(request(new RtcRequest.Read(clockId)), clockId);
    }

    /**
     * clock_reading of a READ response: a rule about readings cannot be judged without one, and a READ that is not
     * OK is VRTC-READ-02's failure, not the reading rule's.
     */
    public static long reading(RtcResponse read, int clockId) {
        if (!read.ok() || !read.has(8, 8)) {
            throw NotApplicable.because("READ of clock " + clockId + " answered " + read + ": no reading to judge "
                    + "(see VRTC-READ-02)");
        }
        return read.clockReading();
    }

    /** One of the device's clocks, as VIRTIO_RTC_REQ_CLOCK_CAP describes it. */
    public record Clock(int id, int type, int leapSecondSmearing, int flags, RtcResponse capability) {
        public Optional<ClockType> clockType() {
            return ClockType.of(type);
        }
    }

    /**
     * num_clocks from VIRTIO_RTC_REQ_CFG. A CFG that is not OK is VRTC-OP-01's and VRTC-VQ-01's failure; a check that
     * needs the clocks is then NOT_APPLICABLE naming them, so one broken answer does not fail every rule.
     */
    public int numClocks() {
        RtcResponse cfg = request(new RtcRequest.Cfg());
        if (!cfg.ok()) {
            throw NotApplicable.because("VIRTIO_RTC_REQ_CFG answered " + Status.describe(cfg.status())
                    + ": the driver cannot learn the device's clocks (" + cfg + "; see VRTC-OP-01, VRTC-VQ-01)");
        }
        return cfg.numClocks();
    }

    /** Every clock (ids 0 .. num_clocks - 1) with its CLOCK_CAP answer. */
    public List<Clock> clocks() {
        int n = numClocks();
        List<Clock> out = new ArrayList<>();
        for (int id = 0; id < n; id++) {
            RtcResponse cap = request(new RtcRequest.ClockCap(id));
            out.add(new Clock(id, cap.clockType(), cap.leapSecondSmearing(), cap.flags(), cap));
        }
        evidence.note("clocks: " + out.stream().map(c -> c.id() + "=" + ClockType.describe(c.type())
                + (c.capability().ok() ? "" : " [" + Status.describe(c.capability().status()) + "]")).toList());
        return out;
    }

    /**
     * The clocks whose CLOCK_CAP answered OK: only their fields mean anything (a driver interprets the fields of a
     * response only when its status is OK); an id below num_clocks that is not OK is VRTC-OP-18's failure.
     */
    public List<Clock> describedClocks() {
        return clocks().stream().filter(c -> c.capability().ok()).toList();
    }

    /** The clocks of a type; NOT_APPLICABLE naming the type when the device has none. */
    public List<Clock> clocksOfType(ClockType type) {
        List<Clock> c = clocks().stream().filter(k -> k.capability().ok() && k.type() == type.code()).toList();
        if (c.isEmpty()) {
            throw NotApplicable.because("the device has no clock of type VIRTIO_RTC_CLOCK_" + type.name());
        }
        return c;
    }

    /** The first clock; NOT_APPLICABLE when the device provides none (num_clocks 0 is allowed). */
    public Clock anyClock() {
        List<Clock> c = clocks();
        if (c.isEmpty()) {
            throw NotApplicable.because("the device provides no clock (num_clocks 0)");
        }
        return c.get(0);
    }

    public Evidence evidence() {
        return evidence;
    }

    /** The device on the target's bus, started on first use; NOT_APPLICABLE when the target offers none. */
    private void requireDevice() {
        if (driver == null) {
            // The capability first, so that a hidden one is NOT_APPLICABLE, not an ERROR. Not the guest machine's
            // device list: the bus is a machine of its own, and its device is judged whatever guest the run boots.
            target.require(Capability.DEVICE_BUS);
            bus = target.deviceBus(Device.VIRTIO_RTC);
            driver = VirtioRtcDriver.attach(bus.io()).orElseThrow(() -> new HarnessException(ExitCode.HARNESS_ERROR,
                    bus.describe() + ": no virtio device 17 answered on PCI bus 0"));
            driver.timeout(Duration.ofSeconds(1));
            driver.onExchange(e -> {
                if (evidence != null) {
                    evidence.exchange(e.describe());
                }
                if (!e.wasUsed()) {
                    requireAlive();
                }
            });
        }
    }

    private static String describe(Negotiation n) {
        return String.format("offered 0x%x, accepted 0x%x, status after FEATURES_OK 0x%02x, num_queues %d, requestq %d,"
                + " alarmq %d", n.offered(), n.accepted(), n.statusAfterFeaturesOk(), n.numQueues(), n.requestQueueSize(),
                n.alarmQueueSize());
    }

    /** Opens the check's evidence directory and hands it a freshly reset and negotiated device. */
    public void beginTest(String name) {
        evidence = new Evidence(evidenceRoot.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")));
        try {
            requireDevice();
        } catch (TestAbortedException e) {
            return; // the check itself reports NOT_APPLICABLE
        }
        evidence.note(bus.describe());
        requireAlive();
        renegotiate(true, 4);
    }

    /** An unanswered request to a device whose process is gone is the harness's ERROR, with the cause, not a FAIL. */
    private void requireAlive() {
        bus.broken().get().ifPresent(why -> {
            throw new HarnessException(ExitCode.HARNESS_ERROR, bus.describe() + ": " + why);
        });
    }
}
