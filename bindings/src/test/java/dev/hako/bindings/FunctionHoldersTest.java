package dev.hako.bindings;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/** The generated function holders link and call real libc functions. */
class FunctionHoldersTest {

    @Test
    void syscallGetpidEqualsTheJvmPid() {
        long pid = Linux.syscall(Linux.SYS_getpid(), 0, 0, 0, 0, 0, 0);
        assertThat(pid).isEqualTo(ProcessHandle.current().pid());
        assertThat(Linux.getpid()).isEqualTo((int) pid);
    }

    @Test
    void holdersExposeDescriptorHandleAndAddress() {
        assertThat(Linux.syscall$address().address()).isNotZero();
        assertThat(Linux.syscall$descriptor().argumentLayouts()).hasSize(7);
        assertThat(Linux.syscall$handle().type().parameterCount()).isEqualTo(7);
    }

    @Test
    void relinkingWithErrnoCaptureReportsTheKernelsErrno() throws Throwable {
        MethodHandle handle = Linux.syscall$handle(Linker.Option.captureCallState("errno"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            // close(-1) fails with EBADF.
            long result = (long) handle.invokeExact(state, (long) Linux.SYS_close(), -1L, 0L, 0L, 0L, 0L, 0L);
            int errno = state.get(ValueLayout.JAVA_INT,
                    Linker.Option.captureStateLayout().byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")));
            assertThat(result).isEqualTo(-1);
            assertThat(Linux.errnoName(errno)).isEqualTo("EBADF");
        }
    }

    @Test
    void strerrordescNamesAnErrno() {
        MemorySegment text = Linux.strerrordesc_np(Linux.ENOENT());
        assertThat(text.reinterpret(256).getString(0)).isEqualTo("No such file or directory");
    }

    @Test
    void structAccessorsReadWhatTheyWrite() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = clone_args.allocate(arena);
            clone_args.flags(args, Linux.CLONE_PIDFD());
            clone_args.exit_signal(args, Linux.SIGCHLD());
            assertThat(clone_args.flags(args)).isEqualTo(Linux.CLONE_PIDFD());
            assertThat(args.get(ValueLayout.JAVA_LONG, 32)).isEqualTo(Linux.SIGCHLD());
            MemorySegment ifr = ifreq.allocate(arena);
            ifreq.ifr_name(ifr, 0, (byte) 'l');
            ifreq.ifr_name(ifr, 1, (byte) 'o');
            assertThat(ifreq.ifr_name(ifr).getString(0)).isEqualTo("lo");
            ifreq.ifr_flags(ifr, (short) Linux.IFF_UP());
            assertThat(ifreq.ifr_ifindex(ifr) & 0xffff).isEqualTo(Linux.IFF_UP());
        }
    }
}
