#!/usr/bin/env python3
"""The project's reference virtio-rtc device with ONE rule broken (or, for `leap-second-now`, a correct device
living through a simulated leap second): the fault tier's devices on the real path (vhost-user, QEMU's
vhost-user-rtc-pci, the suite's qtest driver and the guest's virtio_rtc).

    broken_rtc.py FAULT [--reference PATH] [the reference device's options: --socket-path SOCK, --log -, --version]

FAULT is one of the names in FAULTS below. The reference device is imported from PATH (default: found from this
file's place in the source tree, conformance/src/test/resources/reference-rtc-faults/ ->
conformance/reference-rtc/vmclock-reference-rtc; or $VMCLOCK_REFERENCE_RTC). Each variant subclasses its
RtcDevice and overrides the one method that holds the rule. Test sources only: nothing here is product
configuration.
"""

import importlib.machinery
import importlib.util
import os
import struct
import sys
import time


def load_reference(path):
    loader = importlib.machinery.SourceFileLoader("reference_rtc", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def default_reference():
    env = os.environ.get("VMCLOCK_REFERENCE_RTC")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "..", "reference-rtc", "vmclock-reference-rtc"))


def variants(ref):
    """FAULT name -> RtcDevice subclass, each breaking one rule (the docstring names it and its spec lines)."""
    NS = ref.NS

    class UnknownClockEinval(ref.RtcDevice):
        """Wrong status: a clock_id that identifies no clock answers EINVAL, not ENODEV (spec l.164-166)."""

        def check(self, msg, req):
            status = super().check(msg, req)
            if status == ref.S_ENODEV and msg in ref.CLOCK_ID_AT and not self.clock_exists(self.clock_id(msg, req)):
                return ref.S_EINVAL
            return status

    class UsedLengthShort(ref.RtcDevice):
        """The used length is one byte short of the bytes written (virtio 1.x §2.7.8), on both queues."""

        def used_length(self, written):
            return written - 1 if written > 0 else written

    class AlarmNeverFires(ref.RtcDevice):
        """An enabled alarm does not expire when its clock reaches the alarm time (spec l.869-872); the expirations
        the device raises itself (set or enabled at a time already reached, a reset with it passed) still happen."""

        def check_alarms(self):
            for cid, a in self.alarms.items():
                a.before = not self.reached(cid, a)

    class AlarmFiresEarly(ref.RtcDevice):
        """An alarm expires 400 ms before its clock reaches the alarm time (spec l.869-872). Not less: READ-13's check
        reads the clock after the notification of an alarm set 500 ms ahead, and this device, starved of CPU in CI,
        once answered that READ 184 ms late, when the clock had reached a time 250 ms early (READ-13 then PASSed)."""

        def until_alarm(self, cid, alarm):
            return super().until_alarm(cid, alarm) - 400_000_000

    class UtcStepsBack(ref.RtcDevice):
        """Every second reading of the UTC clock (clock 0) is 500 ms before the one it should be: the clock steps
        back and forward (spec l.677-681 readings in available order; UTC keeps UTC, l.461-462)."""

        reads = 0

        def read_utc(self):
            self.reads += 1
            return super().read_utc() - (500_000_000 if self.reads % 2 == 0 else 0)

    class LeapSecondNow(ref.RtcDevice):
        """CORRECT, in a simulated world: the leap second of 2017-01-01 (TAI - UTC 36 -> 37) is moved to the
        device's start, so the device lives in the middle of its NOON_LINEAR smear window. TAI is continuous (the
        host's UTC + 37 s: the host's UTC plays UTC after the leap second); the UTC clock stepped back 1 s at the
        start of the leap second, just before the device started, and reads the host's UTC from then on; the
        smeared clock runs 1/86401 slow from noon before to noon after, so it reads the host's UTC + 0.5 s at the
        leap second, decreasing by 1 ms every 86.4 s."""

        def leap_table(self):
            table = super().leap_table()
            self.leap_at = int(time.time())  # T: the UTC 'midnight' after which TAI - UTC is 37
            return [row for row in table if row[1] < 37] + [(self.leap_at, 37)]

        def read_tai(self):
            return time.clock_gettime_ns(time.CLOCK_REALTIME) + 37 * NS

    class LeapSecondSoon(LeapSecondNow):
        """LeapSecondNow with the leap second 5 s after the device's start (UTC steps back 1 s at T - 1): for runs by
        hand only. Before the step the UTC clock reads the host's UTC + 1 s, after it the host's UTC, so which checks
        FAIL depends on when each runs; no check judges the step itself (VRTC-CTRL-08..18 have none)."""

        LEAD = 5

        def leap_table(self):
            table = super().leap_table()
            self.leap_at += self.LEAD
            return table[:-1] + [(self.leap_at, 37)]

    class SmearedStepsAtLeapSecond(LeapSecondNow):
        """The simulated leap second of LeapSecondNow, and a UTC_SMEARED clock that does not smear: it applies the
        leap second as UTC does, stepping back 1 s at its start (spec l.484-485: a smearing clock MUST NOT step; l.495-
        501 NOON_LINEAR)."""

        def read_smeared(self):
            return self.read_utc()

    class PendingNotificationDropped(ref.RtcDevice):
        """An expiration that finds no alarmq buffer is dropped, not kept until the driver makes one available
        (spec l.887-892: the device MUST use exactly one notification once a buffer is available)."""

        def deliver_alarms(self, ring):
            super().deliver_alarms(ring)
            for cid, a in self.alarms.items():
                if a.serving and not ring.has_available():
                    self.log("alarm clock %d: no alarmq buffer, expiration DROPPED (fault)" % cid)
                    a.serving = False

    class NotificationOverStaleBuffer(ref.RtcDevice):
        """An expiration that finds no alarmq buffer is written into the last alarmq buffer the device used (which
        the driver owns again) and that buffer's id is used once more: a notification without an available buffer
        (virtio 1.x §2.7: the device uses only buffers the driver made available; spec l.887-892)."""

        stale = None

        def deliver_alarms(self, ring):
            pop = ring.pop

            def remember():
                chain = pop()
                if chain is not None:
                    self.stale = chain
                return chain

            ring.pop = remember
            try:
                super().deliver_alarms(ring)
            finally:
                del ring.pop
            if not self.alarm_negotiated() or self.stale is None or ring.has_available():
                return
            for cid, a in self.alarms.items():
                if a.serving:
                    written = self.stale.write(self.notification(cid))
                    ring.push(self.stale.head, self.used_length(written))
                    a.serving = False
                    self.log("alarm notification clock %d written over used alarmq buffer %d, no buffer available "
                             "(fault)" % (cid, self.stale.head))
                    ring.signal()

    class DiesMidRun(ref.RtcDevice):
        """Not a broken rule but a broken process: the back end exits (status 3) at its 60th request, mid-run. The
        checks that meet it must be ERROR naming that exit, never a FAIL of the device's rules."""

        handled = 0

        def handle(self, req, req_len, room):
            DiesMidRun.handled += 1
            if DiesMidRun.handled == 60:
                sys.stderr.write("broken_rtc.py: dies-mid-run: exiting at request 60 (fault)\n")
                sys.stderr.flush()
                os._exit(3)
            return super().handle(req, req_len, room)

    return {
        "dies-mid-run": DiesMidRun,
        "unknown-clock-einval": UnknownClockEinval,
        "used-length-short": UsedLengthShort,
        "alarm-never-fires": AlarmNeverFires,
        "alarm-fires-early": AlarmFiresEarly,
        "utc-steps-back": UtcStepsBack,
        "leap-second-now": LeapSecondNow,
        "leap-second-soon": LeapSecondSoon,
        "smeared-steps-at-leap-second": SmearedStepsAtLeapSecond,
        "pending-notification-dropped": PendingNotificationDropped,
        "notification-over-stale-buffer": NotificationOverStaleBuffer,
    }


def main(argv):
    reference = default_reference()
    if "--reference" in argv:
        i = argv.index("--reference")
        reference = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if not argv or argv[0].startswith("-"):
        sys.stderr.write("broken_rtc.py: usage: broken_rtc.py FAULT [--reference PATH] [--socket-path SOCK ...]\n")
        return 2
    fault, rest = argv[0], argv[1:]
    ref = load_reference(reference)
    faults = variants(ref)
    if fault not in faults:
        sys.stderr.write("broken_rtc.py: no fault %r; known: %s\n" % (fault, ", ".join(sorted(faults))))
        return 2
    ref.VERSION = "%s, fault %s (%s)" % (ref.VERSION, fault, faults[fault].__name__)
    os.environ["COLUMNS"] = "1000"  # argparse wraps --version at the terminal's width: keep it one line
    return ref.main(rest, device_class=faults[fault])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
