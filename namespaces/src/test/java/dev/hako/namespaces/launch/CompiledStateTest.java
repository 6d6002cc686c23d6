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

    @Test
    void aLevel4EntryWithNoProfiledOneInUseIsFinal() {
        assertThat(ChildInterpreter.finalCodeOnly(entry(1395, 3, 1) + entry(1397, 4, 0), METHOD)).isTrue();
    }

    @Test
    void aLevel4OsrVersionBesideTheProfiledEntryIsNot() {
        // 1395 is the method's entry at level 3, 1396 the loop's level-4 OSR version.
        assertThat(ChildInterpreter.finalCodeOnly(entry(1394, 3, 1) + entry(1395, 3, 0) + entry(1396, 4, 0), METHOD))
                .isFalse();
    }

    @Test
    void theFinalEntryBesideAnOsrVersionIsFinal() {
        assertThat(ChildInterpreter.finalCodeOnly(entry(1451, 4, 0) + entry(1452, 4, 0) + entry(1450, 3, 1), METHOD))
                .isTrue();
    }

    @Test
    void c1OnlyCodeIsFinalAtLevel1() {
        assertThat(ChildInterpreter.finalCodeOnly(entry(12, 1, 0), METHOD)).isTrue();
    }

    @Test
    void levelTwoAndNothingAtAllAreNot() {
        assertThat(ChildInterpreter.finalCodeOnly(entry(7, 2, 0), METHOD)).isFalse();
        assertThat(ChildInterpreter.finalCodeOnly(entry(7, 4, 2), METHOD)).isFalse();
        assertThat(ChildInterpreter.finalCodeOnly("", METHOD)).isFalse();
    }

    @Test
    void otherMethodsDoNotCount() {
        String other = "99 3 0 dev.hako.namespaces.launch.ChildInterpreter.warmUp()V [0x1, 0x2 - 0x3]\n";
        assertThat(ChildInterpreter.finalCodeOnly(other + entry(1397, 4, 0), METHOD)).isTrue();
    }
}
