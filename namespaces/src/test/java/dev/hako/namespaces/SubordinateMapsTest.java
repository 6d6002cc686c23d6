package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.launch.ChildInterpreter;
import dev.hako.namespaces.launch.CurrentIds;
import dev.hako.namespaces.launch.Launcher;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ContainerBuilder#rootlessMaps} end to end: the setuid helpers newuidmap(1) and
 * newgidmap(1) write multi-range maps from the ranges /etc/subuid and /etc/subgid grant.
 *
 * <p>Root is needed only to grant the current user a range for the duration of the class;
 * both files are restored byte for byte afterwards. The helpers check the files even when
 * root calls them.
 */
@Privileged(value = Requirement.ROOT, programs = {"newuidmap", "newgidmap"})
@Timeout(60)
class SubordinateMapsTest {

    private static final long FIRST = 2_000_000;
    private static final long COUNT = 65536;
    private static final Path SUBUID = Path.of("/etc/subuid");
    private static final Path SUBGID = Path.of("/etc/subgid");
    /**
     * FIRST..FIRST+COUNT-1 in two adjacent lines: the helpers accept a range that spans
     * them, and so must the check before the start.
     */
    private static final String GRANT = System.getProperty("user.name") + ":" + FIRST + ":" + COUNT / 2 + "\n"
            + System.getProperty("user.name") + ":" + (FIRST + COUNT / 2) + ":" + COUNT / 2 + "\n";

    /** The files as they were (null: absent), restored after the class. */
    private static byte[] subuidBefore;
    private static byte[] subgidBefore;
    private static boolean subuidSaved;
    private static boolean subgidSaved;

    private List<String> fdsBefore;

    @BeforeAll
    static void grantARange() throws IOException {
        subuidBefore = read(SUBUID);
        subuidSaved = true;
        append(SUBUID, subuidBefore, GRANT);
        subgidBefore = read(SUBGID);
        subgidSaved = true;
        append(SUBGID, subgidBefore, GRANT);
    }

    @AfterAll
    static void restoreFiles() throws IOException {
        try {
            if (subuidSaved) {
                restore(SUBUID, subuidBefore);
            }
        } finally {
            if (subgidSaved) {
                restore(SUBGID, subgidBefore);
            }
        }
    }

    private static byte[] read(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllBytes(file) : null;
    }

    private static void append(Path file, byte[] before, String line) throws IOException {
        String text = before == null ? "" : new String(before, StandardCharsets.UTF_8);
        String separator = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
        Files.writeString(file, text + separator + line);
    }

    private static void restore(Path file, byte[] before) throws IOException {
        if (before == null) {
            Files.deleteIfExists(file);
        } else {
            Files.write(file, before);
        }
    }

    @BeforeEach
    void recordDescriptors() throws IOException {
        ChildInterpreter.ensureWarm();
        Payloads.openLongLivedDescriptors();
        fdsBefore = Payloads.openFds();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertThat(Payloads.zombieChildren()).as("zombie children").isEmpty();
        Payloads.assertDescriptorsBackTo(fdsBefore);
    }

    /** Inside 0 is the caller's own id, inside 1..65536 the granted range. */
    private static ContainerBuilder twoRanges() {
        return new ContainerBuilder("/bin/true").rootlessMaps(
                List.of(IdMapping.single(0, CurrentIds.uid()), new IdMapping(1, FIRST, COUNT)),
                List.of(IdMapping.single(0, CurrentIds.gid()), new IdMapping(1, FIRST, COUNT)));
    }

    /** A map line as the kernel prints it: three fields of width 10. */
    private static String kernelLine(long inside, long outside, long count) {
        return String.format("%10d %10d %10d%n", inside, outside, count);
    }

    @Test
    void helpersWriteBothRangesOfEachMap() throws Exception {
        String out = Payloads.sh(twoRanges(), "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups");
        String maps = kernelLine(0, CurrentIds.uid(), 1) + kernelLine(1, FIRST, COUNT)
                + kernelLine(0, CurrentIds.gid(), 1) + kernelLine(1, FIRST, COUNT);
        assertThat(out).isEqualTo(maps + "deny\n");
    }

    @Test
    void thePlanShowsTheHelperCommands() {
        assertThat(twoRanges().plan().parentSteps()).containsSubsequence(
                "write(\"/proc/<pid>/setgroups\", \"deny\")",
                "/usr/bin/newuidmap <pid> 0 " + CurrentIds.uid() + " 1 1 " + FIRST + " " + COUNT + "  (setuid helper)",
                "/usr/bin/newgidmap <pid> 0 " + CurrentIds.gid() + " 1 1 " + FIRST + " " + COUNT + "  (setuid helper)");
    }

    @Test
    void setgroupsCanStayAllowed() throws Exception {
        assertThat(Payloads.sh(twoRanges().setgroupsAllowed(true), "cat /proc/self/setgroups")).isEqualTo("allow\n");
    }

    /**
     * newgidmap denies setgroups itself when no range of the gid map comes from /etc/subgid
     * (only the caller's own gid is mapped), whatever the builder asked for.
     */
    @Test
    void newgidmapDeniesSetgroupsWhenOnlyTheOwnGidIsMapped() throws Exception {
        ContainerBuilder builder = new ContainerBuilder("/bin/true").setgroupsAllowed(true).rootlessMaps(
                List.of(IdMapping.single(0, CurrentIds.uid()), new IdMapping(1, FIRST, COUNT)),
                List.of(IdMapping.single(0, CurrentIds.gid())));
        String out = Payloads.sh(builder, "cat /proc/self/gid_map /proc/self/setgroups");
        assertThat(out).isEqualTo(kernelLine(0, CurrentIds.gid(), 1) + "deny\n");
    }

    @Test
    void aFileOfAMappedIdIsOwnedByItsOutsideId(@TempDir Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path file = dir.resolve("made-inside");
        String out = Payloads.sh(twoRanges().user(1000, 1000), "touch " + file + " && id -u && id -g");
        assertThat(out).isEqualTo("1000\n1000\n");
        assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo((int) (FIRST + 999));
        assertThat(Files.getAttribute(file, "unix:gid")).isEqualTo((int) (FIRST + 999));
    }

    @Test
    void aRangeOneIdPastTheGrantIsRefusedNamingTheFile() {
        ContainerBuilder builder = new ContainerBuilder("/bin/true").rootlessMaps(
                List.of(new IdMapping(0, FIRST, COUNT)), List.of(new IdMapping(0, FIRST + 1, COUNT)));
        assertThatThrownBy(builder::spec)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gid map range \"0 " + (FIRST + 1) + " " + COUNT + "\" (outside ids "
                        + (FIRST + 1) + ".." + (FIRST + COUNT) + ") is not granted to this user in /etc/subgid (granted: [")
                .hasMessageContaining(FIRST + ".." + (FIRST + COUNT / 2 - 1) + ", " + (FIRST + COUNT / 2) + ".."
                        + (FIRST + COUNT - 1));
    }

    @Test
    void aHelperRefusalReachesTheCallerWithItsMessage() throws Exception {
        ContainerBuilder builder = twoRanges();
        LaunchPlan plan = builder.plan();
        // The grant is withdrawn between the check and the start, as an administrator may
        // do: newuidmap itself refuses, and the start fails with what it said.
        Files.write(SUBUID, subuidBefore == null ? new byte[0] : subuidBefore);
        try {
            assertThatThrownBy(() -> Launcher.start(plan.engine(), ContainerProcess::new))
                    .isInstanceOf(IOException.class)
                    .hasMessageMatching(Pattern.quote("/usr/bin/newuidmap ") + "\\d+" + Pattern.quote(" 0 "
                            + CurrentIds.uid() + " 1 1 " + FIRST + " " + COUNT + " failed with status 1: newuidmap: uid"
                            + " range [1-" + (COUNT + 1) + ") -> [" + FIRST + "-" + (FIRST + COUNT) + ") not allowed"));
        } finally {
            append(SUBUID, subuidBefore, GRANT);
        }
    }
}
