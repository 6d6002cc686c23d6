package dev.hako.namespaces.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.BuilderSpecs;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.IdMapping;
import dev.hako.syscalls.NamespaceType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input the launch engine refuses itself: subordinate ranges, loop limits, program size. */
class EngineValidationTest {

    @TempDir
    Path temp;

    private static void refused(Runnable action, String message) {
        assertThatThrownBy(action::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void subordinateRangesMustBeGranted() throws Exception {
        Path subuid = Files.writeString(temp.resolve("subuid"), "alice:100000:65536\n1000:300000:10\nbob:200000:65536\n");
        List<SubordinateIds.Range> granted = SubordinateIds.granted(subuid, "alice", 1000);
        assertThat(granted).containsExactly(new SubordinateIds.Range(100000, 65536), new SubordinateIds.Range(300000, 10));
        SubordinateIds.checkMap("uid", List.of(IdMapping.single(0, 1000), new IdMapping(1, 100000, 65536)), 1000,
                granted, "/etc/subuid");
        refused(() -> SubordinateIds.checkMap("uid", List.of(new IdMapping(1, 200000, 10)), 1000, granted,
                "/etc/subuid"), "uid map range \"1 200000 10\" (outside ids 200000..200009) is not granted to this"
                + " user in /etc/subuid (granted: [100000..165535, 300000..300009])");
    }

    @Test
    void aRangeMaySpanAdjoiningGrantsButNotAGap() {
        // As newuidmap does: lines in any order that adjoin or overlap add up.
        List<SubordinateIds.Range> granted = List.of(new SubordinateIds.Range(100030, 10),
                new SubordinateIds.Range(100010, 10), new SubordinateIds.Range(100000, 15));
        assertThat(SubordinateIds.covered(granted, 100005, 15)).isTrue();
        refused(() -> SubordinateIds.checkMap("gid", List.of(new IdMapping(0, 100005, 16)), 0, granted, "/etc/subgid"),
                "gid map range \"0 100005 16\" (outside ids 100005..100020) is not granted");
    }

    @Test
    void theRowLoopEndsBeforeC2sFirstSafepointPoll() {
        assertThat(LoopPolls.limitFor(true, 1000)).isEqualTo(960);      // G1's defaults
        assertThat(LoopPolls.limitFor(false, 0)).isEqualTo(960);        // Serial, Parallel: no poll in counted loops
        assertThat(LoopPolls.limitFor(true, 200)).isEqualTo(160);
        assertThat(LoopPolls.limitFor(true, 0)).isZero();
        assertThat(LoopPolls.ITERATION_LIMIT).isEqualTo(960);           // this test JVM runs on the defaults
        assertThat(LoopPolls.EVERY_ITERATION).isFalse();
    }

    @Test
    void aSupervisorNeedsLoopsWithoutPollsAndRoomToForward() {
        assertThatThrownBy(() -> SupervisorCompiler.requireLoopsWithoutPolls(true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(-XX:+UseCountedLoopSafepoints with -XX:LoopStripMiningIter=0)")
                .hasMessageEndingWith("Run without -XX:LoopStripMiningIter=0");
        LaunchSpec spec = BuilderSpecs.spec(new ContainerBuilder("/bin/true").namespaces(NamespaceType.PID).init(true));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            ChildProgram program = new ChildProgram(arena);
            for (int i = 0; i < 820; i++) {
                program.add(dev.hako.syscalls.calls.ProcessCalls.getpid());
            }
            assertThatThrownBy(() -> SupervisorCompiler.compile(spec, 9, program, p -> { }, p -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the child program has too many steps (")
                    .hasMessageEndingWith(") to leave the supervisor room to forward signals; use fewer mounts or"
                            + " capabilities");
        }
    }

    @Test
    void aChildProgramHasAtMost900Steps() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            ChildProgram program = new ChildProgram(arena);
            for (int i = 0; i < 900; i++) {
                program.add(dev.hako.syscalls.calls.ProcessCalls.getpid());
            }
            assertThatThrownBy(() -> program.add(dev.hako.syscalls.calls.ProcessCalls.getpid()))
                    .isInstanceOf(IllegalStateException.class).hasMessage("a child program has at most 900 steps");
        }
    }
}
