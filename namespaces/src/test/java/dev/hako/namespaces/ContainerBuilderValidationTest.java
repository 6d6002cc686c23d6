package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.Capability;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.ResourceLimit;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bad input is rejected before anything is cloned, with the field and the rule. */
class ContainerBuilderValidationTest {

    @Test
    void emptyCommand() {
        assertThatThrownBy(() -> new ContainerBuilder(List.of()).spec())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("command is empty: give the program to run and its arguments");
    }

    @Test
    void nulBytesInArgumentsEnvironmentAndPaths() {
        assertThatThrownBy(() -> new ContainerBuilder("/bin/echo", "a\0b").spec())
                .hasMessage("command[1] contains a NUL byte, which C strings cannot hold: a\\0b");
        ContainerBuilder env = new ContainerBuilder("/bin/true");
        env.environment().put("X", "1\0");
        assertThatThrownBy(env::spec).hasMessage("environment variable X contains a NUL byte, which C strings cannot hold: 1\\0");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").directory(Path.of("/tmp/a\0b")).spec())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void environmentNameWithEquals() {
        ContainerBuilder builder = new ContainerBuilder("/bin/true");
        builder.environment().put("A=B", "c");
        assertThatThrownBy(builder::spec).hasMessage("environment variable name \"A=B\" is empty or contains '=',"
                + " which would split it differently in the child");
    }

    @Test
    void programNotOnPath() {
        assertThatThrownBy(() -> new ContainerBuilder("hako-no-such-program").spec())
                .hasMessageStartingWith("program \"hako-no-such-program\" was not found in PATH (")
                .hasMessageEndingWith("); give an absolute path or install it");
    }

    @Test
    void idMappingsEmptyOverlappingOrOutOfRange() {
        assertThatThrownBy(() -> new IdMapping(0, 1000, 0))
                .hasMessage("id mapping 0 1000 0: count must be at least 1");
        assertThatThrownBy(() -> new IdMapping(0, 4294967295L, 1))
                .hasMessage("id mapping: outside range 4294967295..4294967295 is outside 0..4294967294");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").namespaces(NamespaceType.USER)
                .uidMap(new IdMapping(0, 1000, 10)).uidMap(new IdMapping(5, 2000, 10)).spec())
                .hasMessage("uid map ranges overlap on the inside side: \"0 1000 10\" and \"5 2000 10\"");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").namespaces(NamespaceType.USER)
                .gidMap(new IdMapping(0, 1000, 10)).gidMap(new IdMapping(100, 1005, 1)).spec())
                .hasMessage("gid map ranges overlap on the outside side: \"0 1000 10\" and \"100 1005 1\"");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").user(-1, 0))
                .hasMessage("uid -1 is outside 0..4294967294");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").uidMap(IdMapping.single(0, 0)).spec())
                .hasMessage("uid/gid maps are set but no new user namespace is created; add NamespaceType.USER");
    }

    @Test
    void hostnameTooLongOrWithSlash() {
        String name = "h".repeat(65);
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").hostname(name).spec())
                .hasMessage("hostname \"" + name + "\" is 65 bytes; the kernel allows at most 64");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").hostname("a/b").spec())
                .hasMessage("hostname \"a/b\" contains '/'");
    }

    @Test
    void unknownCapability() {
        assertThatThrownBy(() -> Capabilities.keep("CAP_FLY"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown capability \"CAP_FLY\"");
        assertThatThrownBy(() -> new Capabilities(Set.of(), Set.of(Capability.CHOWN), Set.of(), Set.of(), Set.of()))
                .hasMessage("capabilities: the effective set must be within the permitted set, but has [CHOWN]"
                        + " that it lacks");
    }

    @Test
    void resourceLimitSoftAboveHard() {
        assertThatThrownBy(() -> new ResourceLimit(10, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("soft limit 10 is above hard limit 5");
    }

    @Test
    void fdTargetCollisions() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false)) {
            assertThatThrownBy(() -> new ContainerBuilder("/bin/true").passFd(pipe.read(), 5).passFd(pipe.write(), 5))
                    .hasMessage("fd 5 is passed twice; each target number can hold one descriptor");
            assertThatThrownBy(() -> new ContainerBuilder("/bin/true").passFd(pipe.read(), 1).spec())
                    .hasMessage("fd 1 is standard output; use redirectInput/redirectOutput/redirectError for it,"
                            + " and pass fds at 3 or above");
        }
    }

    @Test
    void createdAndJoinedAtOnce() {
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").namespaces(NamespaceType.NET)
                .join(NamespaceType.NET, NamespaceJoin.ofPid(1)).spec())
                .hasMessage("namespace NET is both created and joined; choose one");
    }

    @Test
    void umaskExecTimeoutAndParentDeathSignalOutOfRange() {
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").umask(01000))
                .hasMessage("umask 1000 is outside 0..0777");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").execTimeout(java.time.Duration.ZERO))
                .hasMessage("exec timeout must be positive: PT0S");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").parentDeathSignal(65).spec())
                .hasMessage("parent death signal 65 is outside 0..64");
    }
}
