package dev.vmclock.conformance;

import java.lang.reflect.Method;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Each test runs holding one of as many slots as the machine has cores. A full-suite run boots a TCG guest, and
 * its boot and the run's history keep a core busy; runs beyond the cores only slow every run down (and, far
 * enough, stretch boots past their timeout). The parallel executor has more threads than that
 * (junit-platform.properties) for the device-level runs, which wait on the device's timers, not on a core.
 */
public final class GuestSlots implements InvocationInterceptor {

    /** {@code -Dvmclock.guestSlots=N} overrides the number of cores (to measure other counts). */
    private static final Semaphore SLOTS = new Semaphore(Integer.getInteger("vmclock.guestSlots",
            Runtime.getRuntime().availableProcessors()), true);

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        inSlot(invocation);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        inSlot(invocation);
    }

    private static void inSlot(Invocation<Void> invocation) throws Throwable {
        SLOTS.acquire();
        try {
            invocation.proceed();
        } finally {
            SLOTS.release();
        }
    }
}
