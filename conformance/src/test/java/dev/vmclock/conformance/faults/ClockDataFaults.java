package dev.vmclock.conformance.faults;

import dev.vmclock.conformance.faults.RuntimeFault.AfterEvent;
import dev.vmclock.conformance.faults.RuntimeFault.PageFault;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.LeapIndicator;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;

/** Faults in the clock data the reference clock publishes: errors, leap indicator, status and steps of the time. */
final class ClockDataFaults {

    private ClockDataFaults() {
    }

    /** A fault applied to the reference clock's page once, right after the first boot published it. */
    abstract static class AfterPublish extends PageFault {
        private boolean applied;

        AfterPublish(VmTarget delegate) {
            super(delegate);
        }

        @Override
        public synchronized GuestAgent guest() {
            GuestAgent g = delegate.guest();
            if (!applied) {
                applied = true;
                device().update(this::edit);
            }
            return g;
        }

        abstract void edit(byte[] page);
    }

    /**
     * With the reference clock: the four error fields flagged valid but out of range, the time errors over a
     * second and the period error rates larger than the period itself.
     */
    public static final class ErrorFieldsOutOfRange extends RuntimeFault {
        public ErrorFieldsOutOfRange() {
            super("error-fields-out-of-range", target -> new AfterPublish(target) {
                @Override
                void edit(byte[] p) {
                    long period = PageField.COUNTER_PERIOD_FRAC_SEC.read(p);
                    PageField.TIME_ESTERROR_NANOSEC.write(p, 2_000_000_000L);
                    PageField.TIME_MAXERROR_NANOSEC.write(p, 3_000_000_000L);
                    PageField.COUNTER_PERIOD_ESTERROR_RATE_FRAC_SEC.write(p, period);
                    PageField.COUNTER_PERIOD_MAXERROR_RATE_FRAC_SEC.write(p, -1L);
                }
            });
        }
    }

    /** With the reference clock: leap_indicator POS (in the leap second now) at a reference time that is none. */
    public static final class LeapIndicatorWrong extends RuntimeFault {
        public LeapIndicatorWrong() {
            super("leap-indicator-wrong", target -> new AfterPublish(target) {
                @Override
                void edit(byte[] p) {
                    PageField.LEAP_INDICATOR.write(p, LeapIndicator.POS.value());
                }
            });
        }
    }

    /**
     * With the reference clock: after each live migration the time is stepped by a second, two hundred times
     * the 5 ms maximum error the page declares (the next test's re-anchoring puts it right again).
     */
    public static final class TimeSteppedOutOfBounds extends RuntimeFault {
        public TimeSteppedOutOfBounds() {
            super("time-stepped-out-of-bounds", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.LIVE_MIGRATION) {
                        device().update(p -> PageField.TIME_SEC.write(p, PageField.TIME_SEC.read(p) + 1));
                    }
                }
            });
        }
    }

    /**
     * With the reference clock: status FREERUNNING ("valid and may be relied upon") while the time is two
     * minutes ahead; kept two minutes ahead whenever the suite re-anchors the clock.
     */
    public static final class FreerunningTwoMinutesAhead extends RuntimeFault {
        static final long AHEAD_SEC = 120;

        public FreerunningTwoMinutesAhead() {
            super("freerunning-two-minutes-ahead", target -> new AfterPublish(target) {
                private long anchoredCounter = -1;

                @Override
                void edit(byte[] p) {
                    PageField.CLOCK_STATUS.write(p, ClockStatus.FREERUNNING.value());
                    PageField.TIME_SEC.write(p, PageField.TIME_SEC.read(p) + AHEAD_SEC);
                    anchoredCounter = PageField.COUNTER_VALUE.read(p);
                }

                @Override
                public void beginTest(String name) {
                    super.beginTest(name);
                    synchronized (this) {
                        if (anchoredCounter >= 0 && current().counterValue() != anchoredCounter) {
                            device().update(this::edit); // re-anchored to the right time: ahead again
                        }
                    }
                }
            });
        }
    }

    /**
     * With the reference clock: TIME_MONOTONIC advertised, yet each live migration and each savevm steps the
     * time back by 100 s (more than a live migration takes under TCG, so a later reading still shows it).
     */
    public static final class MonotonicTimeStepsBack extends RuntimeFault {
        static final long STEP_BACK_SEC = 100;

        public MonotonicTimeStepsBack() {
            super("monotonic-time-steps-back", target -> new AfterEvent(target) {
                private boolean advertised;

                @Override
                public synchronized GuestAgent guest() {
                    GuestAgent g = delegate.guest();
                    if (!advertised) {
                        advertised = true;
                        device().update(p -> PageField.FLAGS.write(p, PageField.FLAGS.read(p) | Flag.TIME_MONOTONIC.mask()));
                    }
                    return g;
                }

                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.LIVE_MIGRATION || event == Event.SNAPSHOT_SAVE) {
                        device().update(p -> PageField.TIME_SEC.write(p, PageField.TIME_SEC.read(p) - STEP_BACK_SEC));
                    }
                }
            });
        }
    }
}
