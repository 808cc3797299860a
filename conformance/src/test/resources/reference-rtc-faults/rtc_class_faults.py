#!/usr/bin/env python3
"""The reference virtio-rtc device, broken in one rule at a time, for the guest-level RTC class checks
(VRTC-GUEST-07 to -09; conformance's RtcClassFaultTest runs each through --vhost-user-rtc).

Usage: rtc_class_faults.py REFERENCE FAULT [the reference's own arguments: --socket-path PATH, --log FILE, --version]
REFERENCE is the path of vmclock-reference-rtc (imported as a module); FAULT one of the names below (all but the
last, a conformant device without alarms, break one rule).
"""

import importlib.machinery
import importlib.util
import struct
import sys


def load_reference(path):
    loader = importlib.machinery.SourceFileLoader("reference_rtc", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def smeared_ahead_5s(ref):
    """The UTC_SMEARED clock (the one behind the guest's /dev/rtcN) reads 5 s ahead of UTC; its alarms follow it."""
    class SmearedAhead(ref.RtcDevice):
        def read_smeared(self):
            return super().read_smeared() + 5 * ref.NS
    return SmearedAhead


def alarm_late_3s(ref):
    """An enabled alarm expires 3 s after its clock reached the alarm time."""
    class AlarmLate(ref.RtcDevice):
        def until_alarm(self, cid, alarm):
            return super().until_alarm(cid, alarm) + 3 * ref.NS
    return AlarmLate


def alarm_never_fires(ref):
    """No alarm ever expires: no alarmq notification is ever used."""
    class AlarmNever(ref.RtcDevice):
        def expire(self, cid, why):
            self.log("fault: alarm clock %d expiration dropped (%s)" % (cid, why))
    return AlarmNever


def read_alarm_60s_late(ref):
    """READ_ALARM answers the alarm time 60 s later than the one set (enabled status right)."""
    class ReadAlarmLate(ref.RtcDevice):
        def req_read_alarm(self, req):
            cid = self.clock_id(ref.REQ_READ_ALARM, req)
            a = self.alarms[cid]
            flags = ref.FLAG_ALARM_ENABLED if a.enabled else 0
            answered = a.time + 60 * ref.NS
            return self.ok(req, struct.pack("<QB7x", answered, flags),
                           "clock %d alarm_time=%d (fault: set %d) flags=%d" % (cid, answered, a.time, flags))
    return ReadAlarmLate


def smeared_clock_without_alarm(ref):
    """Not a fault: no clock has an alarm, so VIRTIO_RTC_F_ALARM is not offered (the spec's SHOULD asks for it only when
    some clock supports an alarm). The guest's RTC class device then has no alarm."""
    class NoAlarm(ref.RtcDevice):
        ALARM_CLOCKS = ()
    return NoAlarm


FAULTS = {
    "smeared-ahead-5s": smeared_ahead_5s,
    "alarm-late-3s": alarm_late_3s,
    "alarm-never-fires": alarm_never_fires,
    "read-alarm-60s-late": read_alarm_60s_late,
    "smeared-clock-without-alarm": smeared_clock_without_alarm,
}


def main(argv):
    if len(argv) < 2 or argv[1] not in FAULTS:
        sys.stderr.write("rtc_class_faults.py: usage: rtc_class_faults.py REFERENCE FAULT [ARGS...]; FAULT one of %s\n"
                         % ", ".join(sorted(FAULTS)))
        return 2
    ref = load_reference(argv[0])
    ref.VERSION = "%s [fault %s]" % (ref.VERSION, argv[1])
    return ref.main(argv[2:], device_class=FAULTS[argv[1]](ref))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
