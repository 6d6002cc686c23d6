package dev.hako.namespaces.launch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Reading HotSpot's code list: the child may run the interpreter only when its own entry is
 * final code. The lists are the shapes {@code jcmd Compiler.codelist} printed on JDK 25 for a
 * method with one loop, with -XX:+PrintCompilation telling which entry was the OSR one.
 */
class CompiledStateTest {

    private static final String METHOD = "dev.hako.namespaces.launch.ChildInterpreter.forkAndRun(";

    private static String entry(int id, int level, int state) {
        return id + " " + level + " " + state + " " + METHOD
                + "Ljava/lang/foreign/MemorySegment;Ljava/lang/foreign/MemorySegment;)J [0x1, 0x2 - 0x3]\n";
    }

    private static ChildInterpreter.CodeState state(String list) {
        return ChildInterpreter.CodeState.of(list, METHOD);
    }

    @Test
    void aLevel4EntryWithNoProfiledOneInUseIsFinal() {
        assertThat(state(entry(1395, 3, 1) + entry(1397, 4, 0)))
                .isEqualTo(new ChildInterpreter.CodeState(true, "1397 "));
    }

    @Test
    void aLevel4OsrVersionBesideTheProfiledEntryLooksFinalToo() {
        // 1395 is the method's entry at level 3, 1396 the loop's level-4 OSR version; the
        // same list results when 1395 is a profiled OSR version left beside a final entry,
        // so the list alone cannot settle it (compiled() also waits for a steady state).
        assertThat(state(entry(1394, 3, 1) + entry(1395, 3, 0) + entry(1396, 4, 0)))
                .isEqualTo(new ChildInterpreter.CodeState(true, "1395 1396 "));
    }

    @Test
    void theFinalEntryBesideAnOsrVersionIsFinal() {
        assertThat(state(entry(1451, 4, 0) + entry(1452, 4, 0) + entry(1450, 3, 1)))
                .isEqualTo(new ChildInterpreter.CodeState(true, "1451 1452 "));
    }

    @Test
    void c1OnlyCodeIsFinalAtLevel1() {
        assertThat(state(entry(12, 1, 0)).finalCode()).isTrue();
    }

    @Test
    void levelTwoAndNothingAtAllAreNotFinal() {
        assertThat(state(entry(7, 2, 0))).isEqualTo(new ChildInterpreter.CodeState(false, "7 "));
        assertThat(state(entry(7, 4, 2)).finalCode()).isFalse();
        assertThat(state("").finalCode()).isFalse();
    }

    @Test
    void otherMethodsDoNotCount() {
        String other = "99 3 0 dev.hako.namespaces.launch.ChildInterpreter.warmUp()V [0x1, 0x2 - 0x3]\n";
        assertThat(state(other + entry(1397, 4, 0))).isEqualTo(new ChildInterpreter.CodeState(true, "1397 "));
    }

    @Test
    void aPendingCompileOfTheEntryIsSeenAndAnOsrOneIsNot() {
        // Compiler.queue's shapes (JDK 25): a current compile, then the queues.
        String task = "dev.hako.namespaces.launch.ChildInterpreter::forkAndRun (";
        String entry = "Current compiles: \nC1 CompilerThread0  2308   !   3       "
                + "dev.hako.namespaces.launch.ChildInterpreter::forkAndRun (556 bytes)\nC1 compile queue:\nC2 compile queue:\n";
        String osr = "Current compiles: \nC1 compile queue:\nC2 compile queue:\n2201 % !   4       "
                + "dev.hako.namespaces.launch.ChildInterpreter::forkAndRun @ 50 (556 bytes)\n";
        assertThat(ChildInterpreter.entryCompilePending(entry, task)).isTrue();
        assertThat(ChildInterpreter.entryCompilePending(osr, task)).isFalse();
    }
}
