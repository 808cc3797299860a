package dev.vmclock.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShardsTest {

    private static final String TEMPLATE = "[engine:junit-jupiter]/[class:dev.vmclock.conformance.faults.FaultInjectionTest]"
            + "/[test-template:brokenImplementationFailsExactlyItsClauses(dev.vmclock.conformance.faults.Fault)]";

    @Test
    void everyInvocationRunsInExactlyOneShardAndSharesDifferByAtMostOne() {
        int n = 4;
        List<Integer> perShard = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
            Shards.Shard shard = Shards.Shard.parse(k + "/" + n);
            perShard.add((int) IntStream.rangeClosed(1, 41)
                    .filter(i -> shard.of(TEMPLATE + "/[test-template-invocation:#" + i + "]") == shard.k()).count());
        }
        assertThat(perShard).containsExactly(11, 10, 10, 10);
    }

    @Test
    void plainTestsGoToOneShardByAStableHash() {
        String id = "[engine:junit-jupiter]/[class:dev.vmclock.conformance.qemu.CrossVersionHopTest]"
                + "/[method:hopsFromQemu10ToQemu11KeepStockVerdicts()]";
        Shards.Shard shard = Shards.Shard.parse("1/3");
        assertThat(shard.of(id)).isBetween(1, 3).isEqualTo(Math.floorMod(id.hashCode(), 3) + 1);
    }

    @Test
    void badShardNamesTheForm() {
        for (String bad : List.of("0/4", "5/4", "2", "a/b", "1/0")) {
            assertThatThrownBy(() -> Shards.Shard.parse(bad)).hasMessageContaining("give K/N with 1 <= K <= N");
        }
    }
}
