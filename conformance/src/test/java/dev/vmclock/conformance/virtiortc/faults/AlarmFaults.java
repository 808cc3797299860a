package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.function.Function;

/** The alarm device ({@link AlarmDevice}) as it should be, and broken in one alarm rule at a time. */
public final class AlarmFaults {

    private AlarmFaults() {
    }

    /** A fault made of an id and the alarm device it builds. */
    abstract static class Named implements VirtioRtcFault {
        private final String id;
        private final Function<IoBus, AlarmDevice> device;

        Named(String id, Function<IoBus, AlarmDevice> device) {
            this.id = id;
            this.device = device;
        }

        public String id() {
            return id;
        }

        public IoBus wrap(IoBus d) {
            return device.apply(d);
        }
    }

    /** The alarm device, correct: the alarm checks run and pass; only the stock deviations fail. */
    public static final class AlarmsAdded extends Named {
        public AlarmsAdded() {
            super("alarms-added", AlarmDevice::new);
        }
    }

    /** Alarms expire 250 ms before the clock reaches them. */
    public static final class AlarmFiresEarly extends Named {
        public AlarmFiresEarly() {
            super("alarm-fires-early", d -> new AlarmDevice(d) {
                @Override
                boolean reached(long now) {
                    return Long.compareUnsigned(now + 250_000_000L, alarmTime) >= 0;
                }
            });
        }
    }

    /** SET_ALARM with a time already reached and the alarm enabled is no expiration (only a later reaching would be). */
    public static final class PastAlarmNotFiredOnSet extends Named {
        public PastAlarmNotFiredOnSet() {
            super("past-alarm-not-fired-on-set", d -> new AlarmDevice(d) {
                @Override
                int setAlarm(long time, int flags) {
                    int status = super.setAlarm(time, flags);
                    expired = reached(now());
                    return status;
                }
            });
        }
    }

    /** SET_ALARM_ENABLED enabling an alarm whose time was already reached is no expiration. */
    public static final class EnablingPastAlarmNotFired extends Named {
        public EnablingPastAlarmNotFired() {
            super("enabling-past-alarm-not-fired", d -> new AlarmDevice(d) {
                @Override
                void setAlarmEnabled(int flags) {
                    super.setAlarmEnabled(flags);
                    expired = expired || reached(now());
                }
            });
        }
    }

    /** Every expiration is notified twice. */
    public static final class TwoNotificationsPerExpiration extends Named {
        public TwoNotificationsPerExpiration() {
            super("two-notifications-per-expiration", d -> new AlarmDevice(d) {
                @Override
                int notificationsPerExpiration() {
                    return 2;
                }
            });
        }
    }

    /** Disabling an alarm does not stop its pending expiration from being notified. */
    public static final class DisableKeepsPending extends Named {
        public DisableKeepsPending() {
            super("disable-keeps-pending", d -> new AlarmDevice(d) {
                @Override
                void enable(boolean on, boolean set) {
                    int keep = pending;
                    super.enable(on, set);
                    pending = keep;
                }
            });
        }
    }

    /** A reset retains the alarm but an enabled alarm already reached does not expire with it. */
    public static final class ResetForgetsReachedAlarm extends Named {
        public ResetForgetsReachedAlarm() {
            super("reset-forgets-reached-alarm", d -> new AlarmDevice(d) {
                @Override
                void onDeviceReset() {
                    pending = 0;
                    expired = expired || enabled && reached(now());
                }
            });
        }
    }

    /** A reset does not retain the alarm: it disables it but keeps its time. */
    public static final class ResetKeepsAlarmTime extends Named {
        public ResetKeepsAlarmTime() {
            super("reset-keeps-alarm-time", d -> new AlarmDevice(d) {
                @Override
                void onDeviceReset() {
                    pending = 0;
                    enabled = false;
                }
            });
        }
    }

    /** A reset does not retain the alarm: it sets the time to 0 but leaves the alarm enabled. */
    public static final class ResetKeepsAlarmEnabled extends Named {
        public ResetKeepsAlarmEnabled() {
            super("reset-keeps-alarm-enabled", d -> new AlarmDevice(d) {
                @Override
                void onDeviceReset() {
                    pending = 0;
                    alarmTime = 0;
                }
            });
        }
    }

    /** The alarm works, but CLOCK_CAP does not say so (no VIRTIO_RTC_FLAG_ALARM_CAP). */
    public static final class AlarmCapMissing extends Named {
        public AlarmCapMissing() {
            super("alarm-cap-missing", d -> new AlarmDevice(d) {
                @Override
                int clockCapFlags(int flags) {
                    return flags;
                }
            });
        }
    }

    /** READ_ALARM answers the alarm time plus 1 ns. */
    public static final class ReadAlarmTimeOff extends Named {
        public ReadAlarmTimeOff() {
            super("read-alarm-time-off", d -> new AlarmDevice(d) {
                @Override
                long readAlarmTime() {
                    return alarmTime + 1;
                }
            });
        }
    }

    /** READ_ALARM never sets VIRTIO_RTC_FLAG_ALARM_ENABLED. */
    public static final class ReadAlarmNeverEnabled extends Named {
        public ReadAlarmNeverEnabled() {
            super("read-alarm-never-enabled", d -> new AlarmDevice(d) {
                @Override
                int readAlarmFlags() {
                    return 0;
                }
            });
        }
    }

    /** SET_ALARM_ENABLED also sets the alarm time to 0. */
    public static final class SetAlarmEnabledClearsTime extends Named {
        public SetAlarmEnabledClearsTime() {
            super("set-alarm-enabled-clears-time", d -> new AlarmDevice(d) {
                @Override
                void setAlarmEnabled(int flags) {
                    alarmTime = 0;
                    super.setAlarmEnabled(flags);
                }
            });
        }
    }

    /** SET_ALARM refuses alarm times of 2^63 ns and more (EINVAL). */
    public static final class LargeAlarmTimeRefused extends Named {
        public LargeAlarmTimeRefused() {
            super("large-alarm-time-refused", d -> new AlarmDevice(d) {
                @Override
                int setAlarm(long time, int flags) {
                    return time < 0 ? Status.EINVAL.code() : super.setAlarm(time, flags);
                }
            });
        }
    }

    /** Notifications carry a nonzero reserved byte. */
    public static final class NotificationReservedByteSet extends Named {
        public NotificationReservedByteSet() {
            super("notification-reserved-byte-set", d -> new AlarmDevice(d) {
                @Override
                byte[] notification() {
                    byte[] n = super.notification();
                    n[15] = 1;
                    return n;
                }
            });
        }
    }
}
