package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SyscallExceptionTest {

    @Test
    void messageFollowsTheProjectStandard() {
        SyscallException e = new SyscallException("unshare", "CLONE_NEWUSER", Linux.EINVAL());
        assertThat(e).isInstanceOf(IOException.class);
        assertThat(e.getMessage()).isEqualTo("unshare(CLONE_NEWUSER) failed: EINVAL (Invalid argument): the kernel"
                + " refuses new user namespaces in a multithreaded process such as the JVM; create one in a child instead");
        assertThat(e.syscall()).isEqualTo("unshare");
        assertThat(e.argument()).isEqualTo("CLONE_NEWUSER");
        assertThat(e.errno()).isEqualTo(22);
        assertThat(e.errnoName()).isEqualTo("EINVAL");
        assertThat(e.description()).isEqualTo("Invalid argument");
    }

    @Test
    void hintsForPermissionAndMissingSyscalls() {
        assertThat(new SyscallException("mount", "\"/x\"", Linux.EPERM()).getMessage())
                .isEqualTo("mount(\"/x\") failed: EPERM (Operation not permitted): needs CAP_SYS_ADMIN in the owning"
                        + " user namespace; run as root, or create a user namespace first (it grants capabilities only"
                        + " inside it)");
        assertThat(new SyscallException("clone3", "", Linux.ENOSYS()).hint())
                .startsWith("this kernel does not have clone3");
        assertThat(new SyscallException("clone3", "", Linux.EAGAIN()).hint())
                .startsWith("no more tasks allowed: the cgroup's pids.max");
    }

    @Test
    void noHintWhenNoCommonCauseIsKnown() {
        SyscallException e = new SyscallException("read", "3", Linux.EIO());
        assertThat(e.getMessage()).isEqualTo("read(3) failed: EIO (Input/output error)");
        assertThat(e.hint()).isEmpty();
    }

    @Test
    void unnamedErrnoValuesStillRead() {
        assertThat(SyscallException.errnoName(4000)).isEqualTo("errno 4000");
        assertThat(SyscallException.description(4000)).isEqualTo("Unknown error 4000");
    }
}
