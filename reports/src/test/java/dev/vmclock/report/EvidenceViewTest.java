package dev.vmclock.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evidence directories decoded for the page: pairs diffed, singles listed, texts cut to size. */
class EvidenceViewTest {

    @TempDir
    Path dir;

    @Test
    void beforeAfterPairsBecomeDiffsAndOtherPagesFieldLists() throws Exception {
        Files.write(dir.resolve("snapshot_load-before.bin"), SyntheticRun.page(2, 1));
        Files.write(dir.resolve("snapshot_load-after.bin"), SyntheticRun.page(4, 2));
        Files.write(dir.resolve("boot-page.bin"), SyntheticRun.page(2, 1));
        Files.write(dir.resolve("short.bin"), new byte[16]);
        EvidenceView v = EvidenceView.read(dir);
        assertThat(v.diffs()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("snapshot_load");
            assertThat(d.changed()).containsExactly("seq_count", "disruption_marker");
            assertThat(d.tailDiffers()).isFalse();
            assertThat(d.rows()).filteredOn(EvidenceView.FieldRow::changed)
                    .extracting(EvidenceView.FieldRow::field, EvidenceView.FieldRow::before, EvidenceView.FieldRow::after)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("seq_count", "2", "4"),
                            org.assertj.core.groups.Tuple.tuple("disruption_marker", "1", "2"));
        });
        assertThat(v.pages()).extracting(EvidenceView.PageSnapshot::name).containsExactly("boot-page");
        assertThat(v.pages().get(0).fields()).containsEntry("magic", "0x4b4c4356 (VCLK)");
        assertThat(v.problems()).singleElement().asString().startsWith("short.bin: cannot decode");
    }

    @Test
    void bytesBeyondTheStructureAreFlagged() throws Exception {
        byte[] after = SyntheticRun.page(2, 1);
        after[0x200] = 1;
        Files.write(dir.resolve("x-before.bin"), SyntheticRun.page(2, 1));
        Files.write(dir.resolve("x-after.bin"), after);
        assertThat(EvidenceView.read(dir).diffs()).singleElement().satisfies(d -> {
            assertThat(d.changed()).isEmpty();
            assertThat(d.tailDiffers()).isTrue();
        });
    }

    @Test
    void qmpKeepsEventSectionsAndTheTranscriptTail() throws Exception {
        String transcript = IntStream.range(0, 500).mapToObj(i -> "line " + i).collect(Collectors.joining("\n"));
        Files.writeString(dir.resolve("qmp.txt"), "## SNAPSHOT_LOAD in 12 ms via QMP snapshot-load job\n"
                + "-> {\"execute\":\"snapshot-load\"}\n## full transcript\n" + transcript + "\n");
        EvidenceView.Excerpt q = EvidenceView.read(dir).qmp();
        assertThat(q.text()).contains("## SNAPSHOT_LOAD in 12 ms").contains("snapshot-load").contains("line 499")
                .contains("… 460 earlier lines in the transcript").doesNotContain("line 459\n");
        assertThat(q.omittedLines()).isEqualTo(460);
    }

    @Test
    void consoleIsItsTail() throws Exception {
        Files.writeString(dir.resolve("console.txt"),
                IntStream.range(0, 100).mapToObj(i -> "boot " + i).collect(Collectors.joining("\n")));
        EvidenceView.Excerpt c = EvidenceView.read(dir).console();
        assertThat(c.text()).startsWith("boot 40").endsWith("boot 99");
        assertThat(c.omittedLines()).isEqualTo(40);
    }

    @Test
    void aMissingDirectoryIsEmptyEvidence() {
        EvidenceView v = EvidenceView.read(dir.resolve("absent"));
        assertThat(v.diffs()).isEmpty();
        assertThat(v.qmp().text()).isEmpty();
    }
}
