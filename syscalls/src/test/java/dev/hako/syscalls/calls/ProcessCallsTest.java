package dev.hako.syscalls.calls;

import static dev.hako.syscalls.calls.Memory.at;
import static dev.hako.syscalls.calls.Memory.string;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import dev.hako.bindings.cap_user_data;
import dev.hako.bindings.cap_user_header;
import dev.hako.bindings.clone_args;
import dev.hako.bindings.pollfd;
import dev.hako.bindings.rlimit;
import dev.hako.bindings.sock_filter;
import dev.hako.bindings.sock_fprog;
import dev.hako.syscalls.Capability;
import dev.hako.syscalls.CapabilitySets;
import dev.hako.syscalls.Resource;
import dev.hako.syscalls.ResourceLimit;
import dev.hako.syscalls.WaitOption;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The process, prctl and signal encoders. */
class ProcessCallsTest {

    @Test
    void identity() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(ProcessCalls.getpid().describe()).isEqualTo("getpid()");
            assertThat(ProcessCalls.setsid().number()).isEqualTo(Linux.SYS_setsid());
            assertThat(ProcessCalls.setresuid(1000).words()).containsExactly(1000, 1000, 1000, 0, 0, 0);
            assertThat(ProcessCalls.setresgid(5).describe()).isEqualTo("setresgid(5, 5, 5)");
            assertThat(ProcessCalls.setresuid(1000, 0, 1001).words()).containsExactly(1000, 0, 1001, 0, 0, 0);
            assertThat(ProcessCalls.setresgid(7, 8, 9).describe()).isEqualTo("setresgid(7, 8, 9)");
            Call groups = ProcessCalls.setgroups(arena, List.of(4L, 4294967294L));
            assertThat(groups.word(0)).isEqualTo(2);
            assertThat(at(groups.word(1), 8).toArray(ValueLayout.JAVA_INT)).containsExactly(4, -2);
            assertThat(groups.describe()).isEqualTo("setgroups(2, [4, 4294967294])");
            assertThat(ProcessCalls.setgroups(arena, List.of()).describe()).isEqualTo("setgroups(0, [])");
            assertThat(ProcessCalls.groupList(arena, List.of(7L)).toArray(ValueLayout.JAVA_INT)).containsExactly(7);
            assertThat(ProcessCalls.groupList(arena, List.of()).byteSize()).isEqualTo(4);
        }
    }

    @Test
    void prlimitAndCapset() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = rlimit.allocate(arena);
            Call limit = ProcessCalls.prlimit64(arena, 0, Resource.NOFILE, new ResourceLimit(64, 128), old);
            assertThat(limit.word(1)).isEqualTo(Resource.NOFILE.number());
            MemorySegment value = at(limit.word(2), rlimit.sizeof());
            assertThat(rlimit.rlim_cur(value)).isEqualTo(64);
            assertThat(rlimit.rlim_max(value)).isEqualTo(128);
            assertThat(limit.word(3)).isEqualTo(old.address());
            assertThat(limit.describe()).isEqualTo("prlimit64(0, RLIMIT_NOFILE, {soft=64, hard=128}, &old)");
            assertThat(ProcessCalls.prlimit64(arena, 0, Resource.NOFILE, null, null).words())
                    .containsExactly(0, Resource.NOFILE.number(), 0, 0, 0, 0);

            Set<Capability> high = EnumSet.of(Capability.CHOWN, Capability.CHECKPOINT_RESTORE);
            Call capset = ProcessCalls.capset(arena, new CapabilitySets(high, high, Set.of()));
            MemorySegment header = at(capset.word(0), cap_user_header.sizeof());
            assertThat(cap_user_header.version(header)).isEqualTo(Linux._LINUX_CAPABILITY_VERSION_3());
            assertThat(cap_user_header.pid(header)).isZero();
            MemorySegment data = at(capset.word(1), cap_user_data.sizeof() * 2);
            long mask = Capability.CHOWN.bits() | Capability.CHECKPOINT_RESTORE.bits();
            assertThat(cap_user_data.effective(cap_user_data.asSlice(data, 0))).isEqualTo((int) mask);
            assertThat(cap_user_data.permitted(cap_user_data.asSlice(data, 1))).isEqualTo((int) (mask >>> 32));
            assertThat(cap_user_data.inheritable(cap_user_data.asSlice(data, 1))).isZero();
            assertThat(capset.describe()).isEqualTo("capset({_LINUX_CAPABILITY_VERSION_3, 0}, {effective=CAP_CHOWN"
                    + "|CAP_CHECKPOINT_RESTORE, permitted=CAP_CHOWN|CAP_CHECKPOINT_RESTORE, inheritable=0})");
            assertThat(ProcessCalls.capabilityMasks(data)).containsExactly(mask, mask, 0);
            // Raw masks, bits past the known capabilities included, survive the round trip.
            long[] raw = {1L << 63 | 1, -1L, 1L << 40};
            assertThat(ProcessCalls.capabilityMasks(ProcessCalls.capabilityData(arena, raw[0], raw[1], raw[2])))
                    .containsExactly(raw);
        }
    }

    @Test
    void seccompPointsAtTheFilter() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment instructions = sock_filter.allocateArray(3, arena);
            Call call = ProcessCalls.seccompSetModeFilter(arena, instructions);
            assertThat(call.words()).startsWith(Linux.SECCOMP_SET_MODE_FILTER(), 0);
            MemorySegment fprog = at(call.word(2), sock_fprog.sizeof());
            assertThat(sock_fprog.len(fprog)).isEqualTo((short) 3);
            assertThat(sock_fprog.filter(fprog).address()).isEqualTo(instructions.address());
            assertThat(call.describe()).isEqualTo("seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=3, filter=<3 instructions>})");
        }
    }

    @Test
    void lifeAndDeath() {
        try (Arena arena = Arena.ofConfined()) {
            Call clone = ProcessCalls.clone3(arena, Linux.SIGCHLD());
            MemorySegment args = at(clone.word(0), clone_args.sizeof());
            assertThat(clone_args.exit_signal(args)).isEqualTo(Linux.SIGCHLD());
            assertThat(clone_args.flags(args)).isZero();
            assertThat(clone.word(1)).isEqualTo(clone_args.sizeof());
            assertThat(clone.describe()).isEqualTo("clone3({exit_signal=SIGCHLD}, " + clone_args.sizeof() + ")");

            ProcessCalls.CloneArgs wide = ProcessCalls.CloneArgs.exitSignal(0)
                    .flags(Linux.CLONE_PIDFD() | Linux.CLONE_INTO_CGROUP(), "CLONE_PIDFD|CLONE_INTO_CGROUP")
                    .pidfd(0x1000).parentTid(0x2000).cgroup(7).setTid(0x3000, 2);
            Call full = ProcessCalls.clone3(arena, wide);
            MemorySegment fields = at(full.word(0), clone_args.sizeof());
            assertThat(clone_args.flags(fields)).isEqualTo(Linux.CLONE_PIDFD() | Linux.CLONE_INTO_CGROUP());
            assertThat(clone_args.pidfd(fields)).isEqualTo(0x1000);
            assertThat(clone_args.parent_tid(fields)).isEqualTo(0x2000);
            assertThat(clone_args.cgroup(fields)).isEqualTo(7);
            assertThat(clone_args.set_tid(fields)).isEqualTo(0x3000);
            assertThat(clone_args.set_tid_size(fields)).isEqualTo(2);
            assertThat(clone_args.exit_signal(fields)).isZero();
            assertThat(full.describe()).isEqualTo("clone3({flags=CLONE_PIDFD|CLONE_INTO_CGROUP, pidfd=&pidfd, "
                    + "parent_tid=&tid, set_tid=<2 pids>, cgroup=7, exit_signal=0}, " + clone_args.sizeof() + ")");

            Call execve = ProcessCalls.execve(arena, "/bin/sh", List.of("sh", "-c", "echo \"hi\""), List.of("A=1"));
            assertThat(string(execve.word(0))).isEqualTo("/bin/sh");
            MemorySegment argv = at(execve.word(1), 8 * 4);
            assertThat(string(argv.getAtIndex(ValueLayout.JAVA_LONG, 2))).isEqualTo("echo \"hi\"");
            assertThat(argv.getAtIndex(ValueLayout.JAVA_LONG, 3)).isZero();
            MemorySegment envp = at(execve.word(2), 8 * 2);
            assertThat(string(envp.getAtIndex(ValueLayout.JAVA_LONG, 0))).isEqualTo("A=1");
            assertThat(envp.getAtIndex(ValueLayout.JAVA_LONG, 1)).isZero();
            assertThat(execve.describe()).isEqualTo("execve(\"/bin/sh\", [\"sh\", \"-c\", \"echo \\\"hi\\\"\"], [1 vars])");

            assertThat(ProcessCalls.kill(12, Linux.SIGKILL()).describe()).isEqualTo("kill(12, SIGKILL)");
            MemorySegment info = arena.allocate(128);
            Call waitid = ProcessCalls.waitid(Linux.P_PIDFD(), 8, info, EnumSet.of(WaitOption.EXITED));
            assertThat(waitid.words()).containsExactly(Linux.P_PIDFD(), 8, info.address(), Linux.WEXITED(), 0, 0);
            assertThat(waitid.describe()).isEqualTo("waitid(P_PIDFD, 8, &info, WEXITED, NULL)");
            assertThat(ProcessCalls.pidfdOpen(42).words()).containsExactly(42, 0, 0, 0, 0, 0);
            assertThat(ProcessCalls.pidfdOpen(42).describe()).isEqualTo("pidfd_open(42, 0)");
            assertThat(ProcessCalls.exitGroup(127).describe()).isEqualTo("exit_group(127)");
        }
    }

    @Test
    void prctlOptions() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(PrctlCalls.setNoNewPrivs().words()).containsExactly(Linux.PR_SET_NO_NEW_PRIVS(), 1, 0, 0, 0, 0);
            assertThat(PrctlCalls.setNoNewPrivs().describe()).isEqualTo("prctl(PR_SET_NO_NEW_PRIVS, 1)");
            assertThat(PrctlCalls.setPdeathsig(Linux.SIGKILL()).describe()).isEqualTo("prctl(PR_SET_PDEATHSIG, SIGKILL)");
            assertThat(PrctlCalls.capbsetDrop(Capability.SYS_ADMIN.number()).describe())
                    .isEqualTo("prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN)");
            assertThat(PrctlCalls.capbsetDrop(63).describe()).isEqualTo("prctl(PR_CAPBSET_DROP, 63)");
            Call raise = PrctlCalls.capAmbientRaise(Capability.NET_RAW);
            assertThat(raise.words()).containsExactly(Linux.PR_CAP_AMBIENT(), Linux.PR_CAP_AMBIENT_RAISE(),
                    Capability.NET_RAW.number(), 0, 0, 0);
            assertThat(raise.describe()).isEqualTo("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW)");
            assertThat(PrctlCalls.capAmbientRaise(Capability.NET_RAW.number()).words()).containsExactly(raise.words());
            assertThat(PrctlCalls.capAmbientRaise(63).describe())
                    .isEqualTo("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 63)");
            Call name = PrctlCalls.setName(arena, "hako-init");
            assertThat(string(name.word(1))).isEqualTo("hako-init");
            assertThat(name.describe()).isEqualTo("prctl(PR_SET_NAME, \"hako-init\")");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PrctlCalls.setName(arena, "a-name-of-16-byt"))
                    .hasMessage("thread name must be at most 15 bytes, got 16: \"a-name-of-16-byt\"");
        }
    }

    @Test
    void signals() {
        try (Arena arena = Arena.ofConfined()) {
            Call action = SignalCalls.rtSigaction(arena, Linux.SIGCHLD(), SignalCalls.SIG_DFL, Linux.SA_NOCLDSTOP());
            MemorySegment sigaction = at(action.word(1), 32);
            assertThat(sigaction.get(ValueLayout.JAVA_LONG, 0)).isZero();
            assertThat(sigaction.get(ValueLayout.JAVA_LONG, 8)).isEqualTo(Linux.SA_NOCLDSTOP());
            assertThat(action.words()).containsExactly(Linux.SIGCHLD(), action.word(1), 0, 8, 0, 0);
            assertThat(action.describe()).isEqualTo("rt_sigaction(SIGCHLD, {SIG_DFL, SA_NOCLDSTOP}, NULL, 8)");
            assertThat(SignalCalls.rtSigaction(arena, Linux.SIGTERM(), SignalCalls.SIG_IGN, 0).describe())
                    .isEqualTo("rt_sigaction(SIGTERM, {SIG_IGN}, NULL, 8)");
            long mask = 1L << (Linux.SIGHUP() - 1) | 1L << (Linux.SIGCHLD() - 1);
            Call block = SignalCalls.rtSigprocmask(arena, Linux.SIG_BLOCK(), mask);
            assertThat(at(block.word(1), 8).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(mask);
            assertThat(block.describe()).isEqualTo("rt_sigprocmask(SIG_BLOCK, [HUP CHLD], NULL, 8)");
            assertThat(SignalCalls.rtSigprocmask(arena, Linux.SIG_SETMASK(), 0).describe())
                    .isEqualTo("rt_sigprocmask(SIG_SETMASK, [], NULL, 8)");
            Call wait = SignalCalls.rtSigtimedwait(arena, mask);
            assertThat(at(wait.word(0), 8).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(mask);
            assertThat(wait.describe()).isEqualTo("rt_sigtimedwait([HUP CHLD], NULL, NULL, 8)");
            assertThat(SignalCalls.ppollUntilSignal().describe()).isEqualTo("ppoll(NULL, 0, NULL, NULL, 8)");
            assertThat(SignalCalls.ppollUntilSignal().words()).containsExactly(0, 0, 0, 0, 8, 0);
        }
    }

    @Test
    void ppollOverDescriptors() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = pollfd.allocateArray(2, arena);
            pollfd.fd(pollfd.asSlice(fds, 0), 5);
            pollfd.events(pollfd.asSlice(fds, 0), (short) Linux.POLLIN());
            pollfd.fd(pollfd.asSlice(fds, 1), 7);
            pollfd.events(pollfd.asSlice(fds, 1), (short) (Linux.POLLIN() | Linux.POLLOUT()));
            Call poll = SignalCalls.ppoll(arena, fds, Duration.ofMillis(1500));
            assertThat(poll.words()).containsExactly(fds.address(), 2, poll.word(2), 0, 8, 0);
            assertThat(at(poll.word(2), 16).toArray(ValueLayout.JAVA_LONG)).containsExactly(1, 500_000_000);
            assertThat(poll.describe()).isEqualTo("ppoll([{fd=5, events=POLLIN}, {fd=7, events=POLLIN|POLLOUT}], 2,"
                    + " {tv_sec=1, tv_nsec=500000000}, NULL, 8)");
            Call forever = SignalCalls.ppoll(arena, pollfd.asSlice(fds, 0), null);
            assertThat(forever.word(2)).isZero();
            assertThat(forever.describe()).isEqualTo("ppoll([{fd=5, events=POLLIN}], 1, NULL, NULL, 8)");
        }
    }
}
