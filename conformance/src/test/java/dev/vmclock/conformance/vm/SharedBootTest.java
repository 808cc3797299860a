package dev.vmclock.conformance.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The run's one boot: once, a failure answers for the run, a transient failure is retried once and said. */
class SharedBootTest {

    private final AtomicInteger boots = new AtomicInteger();
    private final List<String> notes = new ArrayList<>();

    private SharedBoot failing(String... messages) {
        return new SharedBoot("test-boot", () -> {
            int n = boots.getAndIncrement();
            if (n < messages.length) {
                throw new HarnessException(ExitCode.GUEST_IMAGE, messages[n]);
            }
        }, notes::add);
    }

    @Test
    void bootsOnceForTheRun() {
        SharedBoot boot = failing();
        boot.ensure();
        boot.ensure();
        assertThat(boots).hasValue(1);
        assertThat(notes).isEmpty();
    }

    @Test
    void aHungBootIsRetriedOnceAndSaidInTheEvidence() {
        SharedBoot boot = failing("the in-guest agent did not answer within 40 s (no answer)");
        boot.ensure();
        assertThat(boots).hasValue(2);
        assertThat(notes).singleElement().asString().startsWith("the first boot failed and was retried: the in-guest");
    }

    @Test
    void aHypervisorGoneWhileTheGuestBootedIsRetried() {
        failing("QEMU exited (exit status in /tmp/x/qemu.stderr) while the guest booted (guest console: c)").ensure();
        assertThat(boots).hasValue(2);
    }

    @Test
    void anyOtherFailureIsNotRetriedAndAnswersForTheWholeRun() {
        SharedBoot boot = failing("guest kernel 7.3 did not load ptp_vmclock");
        assertThatThrownBy(boot::ensure).hasMessage("guest kernel 7.3 did not load ptp_vmclock");
        assertThatThrownBy(boot::ensure).hasMessageStartingWith("the guest did not boot earlier in this run: guest kernel");
        assertThat(boots).hasValue(1);
    }

    @Test
    void aSecondTransientFailureIsTheRunsFailure() {
        SharedBoot boot = failing("agent did not answer", "agent did not answer again");
        assertThatThrownBy(boot::ensure).hasMessage("agent did not answer again");
        assertThat(boots).hasValue(2);
        assertThat(notes).isEmpty();
    }
}
