package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Arch;
import dev.hako.namespaces.SeccompProfile.Architecture;
import dev.hako.bindings.Linux;
import dev.hako.bindings.SyscallTable;
import dev.hako.namespaces.SeccompProfile.ArgCheck;
import dev.hako.namespaces.seccomp.Bpf;
import dev.hako.namespaces.seccomp.BpfProgram;
import dev.hako.namespaces.seccomp.CbpfInterpreter;
import dev.hako.namespaces.seccomp.CbpfInterpreter.Run;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The BPF compiler, checked by running its filters through a classic BPF interpreter
 * written for the tests, over the generated syscall tables of both architectures.
 */
class SeccompCompilerTest {

    static final int ALLOW = Linux.SECCOMP_RET_ALLOW();
    static final int KILL_PROCESS = Linux.SECCOMP_RET_KILL_PROCESS();
    static final int EPERM = Linux.SECCOMP_RET_ERRNO() | Linux.EPERM();
    static final int ENOSYS = Linux.SECCOMP_RET_ERRNO() | Linux.ENOSYS();

    /** Calls the default profile must refuse with EPERM (issue 12's list and Docker's documented reasons). */
    static final List<String> BLOCKED = List.of("mount", "umount2", "pivot_root", "unshare", "setns", "ptrace",
            "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
            "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
            "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "userfaultfd",
            "open_by_handle_at", "name_to_handle_at", "io_uring_setup", "io_uring_enter", "fsopen", "fsmount",
            "move_mount", "open_tree", "mount_setattr", "pidfd_getfd", "kcmp", "quotactl", "syslog", "vhangup");

    static int audit(Arch arch) {
        return SyscallTable.of(arch).auditArch();
    }

    static int nr(Arch arch, String name) {
        return SyscallTable.of(arch).number(name).orElseThrow();
    }

    static Run run(SeccompProfile profile, Arch arch, int nr, long... args) {
        return CbpfInterpreter.run(profile.program(arch).instructions(), nr, audit(arch), args);
    }

    static int action(SeccompProfile profile, Arch arch, String name, long... args) {
        return run(profile, arch, nr(arch, name), args).action();
    }

    @Test
    void everyNameOfTheAllowlistExistsOnSomeArchitecture() {
        for (String name : DefaultSeccompProfile.allowed()) {
            assertThat(SyscallTable.of(Arch.X86_64).number(name).isPresent()
                    || SyscallTable.of(Arch.AARCH64).number(name).isPresent()).as(name).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyAllowedSyscallIsAllowedWithoutReadingItsArguments(Arch arch) {
        SeccompProfile profile = SeccompProfile.defaultProfile();
        int allowed = 0;
        for (String name : DefaultSeccompProfile.allowed()) {
            var number = SyscallTable.of(arch).number(name);
            if (number.isEmpty()) {
                continue;
            }
            allowed++;
            assertThat(run(profile, arch, number.getAsInt(), -1, -1, -1, -1, -1, -1).action()).as(name).isEqualTo(ALLOW);
            assertThat(CbpfInterpreter.constantAllow(profile.program(arch).instructions(), number.getAsInt(),
                    audit(arch), ALLOW)).as("%s is decided without its arguments (action cache)", name).isTrue();
        }
        assertThat(allowed).isGreaterThan(arch == Arch.X86_64 ? 270 : 220);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyOtherKnownSyscallFailsWithEperm(Arch arch) {
        SeccompProfile profile = SeccompProfile.defaultProfile();
        Set<String> decided = new HashSet<>(DefaultSeccompProfile.allowed());
        decided.addAll(List.of("clone", "clone3", "personality"));
        for (String name : BLOCKED) {
            if (SyscallTable.of(arch).number(name).isPresent()) {
                assertThat(action(profile, arch, name)).as(name).isEqualTo(EPERM);
            }
        }
        int blocked = 0;
        for (var entry : SyscallTable.of(arch).byNumber().entrySet()) {
            if (!decided.contains(entry.getValue())) {
                blocked++;
                assertThat(run(profile, arch, entry.getKey()).action()).as(entry.getValue()).isEqualTo(EPERM);
            }
        }
        assertThat(blocked).isGreaterThan(40);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void unknownNumbersAndClone3FailWithEnosys(Arch arch) {
        SeccompProfile profile = SeccompProfile.defaultProfile();
        SyscallTable table = SyscallTable.of(arch);
        int last = table.byNumber().lastKey();
        for (int n : new int[] {last + 1, last + 17, 1000, 0x3fffffff}) {
            assertThat(run(profile, arch, n).action()).as("number %d", n).isEqualTo(ENOSYS);
        }
        for (int n = 0; n < last; n++) {
            if (table.name(n).isEmpty()) {
                assertThat(run(profile, arch, n).action()).as("unassigned number %d", n).isEqualTo(ENOSYS);
            }
        }
        assertThat(action(profile, arch, "clone3", 0, 88)).isEqualTo(ENOSYS);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void cloneIsAllowedOnlyWithoutNamespaceFlags(Arch arch) {
        SeccompProfile profile = SeccompProfile.defaultProfile();
        long sigchld = Linux.SIGCHLD();
        long thread = Linux.CLONE_VM() | Linux.CLONE_FS() | Linux.CLONE_FILES() | Linux.CLONE_SIGHAND()
                | Linux.CLONE_THREAD() | Linux.CLONE_SYSVSEM() | Linux.CLONE_SETTLS() | Linux.CLONE_PARENT_SETTID()
                | Linux.CLONE_CHILD_CLEARTID();
        assertThat(action(profile, arch, "clone", sigchld)).isEqualTo(ALLOW);
        assertThat(action(profile, arch, "clone", thread, 0x7f0000001000L)).isEqualTo(ALLOW);
        assertThat(action(profile, arch, "clone", Linux.CLONE_VM() | Linux.CLONE_VFORK() | sigchld)).isEqualTo(ALLOW);
        assertThat(action(profile, arch, "clone", (1L << 40) | sigchld)).as("high bits are no namespace").isEqualTo(ALLOW);
        for (long flag : new long[] {Linux.CLONE_NEWUSER(), Linux.CLONE_NEWNS(), Linux.CLONE_NEWPID(),
                Linux.CLONE_NEWNET(), Linux.CLONE_NEWUTS(), Linux.CLONE_NEWIPC(), Linux.CLONE_NEWCGROUP()}) {
            assertThat(action(profile, arch, "clone", flag | sigchld)).as("flag 0x%x", flag).isEqualTo(EPERM);
            assertThat(action(profile, arch, "clone", flag | thread | (1L << 33))).as("flag 0x%x", flag).isEqualTo(EPERM);
        }
        assertThat(CbpfInterpreter.constantAllow(profile.program(arch).instructions(), nr(arch, "clone"), audit(arch),
                ALLOW)).as("clone reads its flags").isFalse();
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void personalityIsAllowedWithTheUsualValuesOnly(Arch arch) {
        SeccompProfile profile = SeccompProfile.defaultProfile();
        for (long ok : new long[] {0, 8, 0x20000, 0x20008, 0xffffffffL}) {
            assertThat(action(profile, arch, "personality", ok)).as("0x%x", ok).isEqualTo(ALLOW);
        }
        for (long bad : new long[] {0x0040000 /* ADDR_NO_RANDOMIZE */, 0x0400000 /* READ_IMPLIES_EXEC */, 1,
                0x1_00000000L, 0xffffffff_ffffffffL}) {
            assertThat(action(profile, arch, "personality", bad)).as("0x%x", bad).isEqualTo(EPERM);
        }
    }

    @Test
    void x32CallsAreKilledOnX86_64() {
        SeccompProfile profile = SeccompProfile.defaultProfile();
        int write = nr(Arch.X86_64, "write");
        assertThat(run(profile, Arch.X86_64, FilterCompilerFacts.X32 | write).action()).isEqualTo(KILL_PROCESS);
        assertThat(run(profile, Arch.X86_64, FilterCompilerFacts.X32 | 512).action()).isEqualTo(KILL_PROCESS);
        assertThat(run(profile, Arch.X86_64, -1).action()).as("0xffffffff has the x32 bit").isEqualTo(KILL_PROCESS);
        // aarch64 has no x32 ABI: the same number is merely unknown there.
        assertThat(run(profile, Arch.AARCH64, FilterCompilerFacts.X32 | 64).action()).isEqualTo(ENOSYS);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void aForeignArchitectureIsKilled(Arch arch) {
        List<Bpf> program = SeccompProfile.defaultProfile().program(arch).instructions();
        int i386 = 0x40000003; // AUDIT_ARCH_I386: EM_386 | __AUDIT_ARCH_LE
        for (int foreign : new int[] {i386, arch == Arch.X86_64 ? audit(Arch.AARCH64) : audit(Arch.X86_64), 0}) {
            assertThat(CbpfInterpreter.run(program, nr(arch, "getpid"), foreign).action()).isEqualTo(KILL_PROCESS);
        }
        assertThat(program.getFirst()).isEqualTo(new Bpf(Bpf.LD_ABS, 0, 0, Bpf.ARCH));
    }

    /** Every operator, on values at and around the 32-bit word boundaries, against Java's unsigned comparison. */
    @Test
    void sixtyFourBitComparisonsHoldExactlyWhereTheyShould() {
        long[] constants = {0, 1, 2, 0x7fffffffL, 0x80000000L, 0xfffffffeL, 0xffffffffL, 0x1_00000000L, 0x1_00000001L,
                0x1_ffffffffL, 0x2_00000000L, 0x7fffffff_ffffffffL, 0x80000000_00000000L, 0xffffffff_00000000L,
                0xffffffff_fffffffeL, -1L, 0x12345678_9abcdef0L};
        List<Long> probes = new ArrayList<>();
        for (long c : constants) {
            for (long d : new long[] {0, 1, -1, 1L << 32, -(1L << 32), (1L << 32) + 1, (1L << 32) - 1}) {
                probes.add(c + d);
            }
        }
        Random random = new Random(12);
        for (int i = 0; i < 200; i++) {
            probes.add(random.nextLong());
        }
        record Op(String name, BiFunction<Integer, Long, ArgCheck> make, BiFunction<Long, Long, Boolean> holds) {
        }
        List<Op> ops = List.of(
                new Op("==", ArgCheck::eq, (a, c) -> a.longValue() == c.longValue()),
                new Op("!=", ArgCheck::ne, (a, c) -> a.longValue() != c.longValue()),
                new Op("<", ArgCheck::lt, (a, c) -> Long.compareUnsigned(a, c) < 0),
                new Op("<=", ArgCheck::le, (a, c) -> Long.compareUnsigned(a, c) <= 0),
                new Op(">", ArgCheck::gt, (a, c) -> Long.compareUnsigned(a, c) > 0),
                new Op(">=", ArgCheck::ge, (a, c) -> Long.compareUnsigned(a, c) >= 0));
        for (Op op : ops) {
            for (long c : constants) {
                for (int arg : new int[] {0, 5}) {
                    SeccompProfile profile = SeccompProfile.builder().architectures(Architecture.X86_64)
                            .rule("getpid", SeccompAction.ALLOW, op.make().apply(arg, c)).build();
                    for (long a : probes) {
                        long[] args = new long[6];
                        args[arg] = a;
                        args[5 - arg] = ~a; // the other argument must not matter
                        int expected = op.holds().apply(a, c) ? ALLOW : EPERM;
                        assertThat(run(profile, Arch.X86_64, nr(Arch.X86_64, "getpid"), args).action())
                                .as("args[%d]=0x%x %s 0x%x", arg, a, op.name(), c).isEqualTo(expected);
                    }
                }
            }
        }
        for (int i = 0; i < 300; i++) {
            long mask = random.nextLong() & random.nextLong();
            if (i % 3 == 0) {
                mask &= 0xffffffffL; // low word only
            } else if (i % 3 == 1) {
                mask &= 0xffffffff_00000000L; // high word only
            }
            long value = random.nextLong() & mask;
            SeccompProfile profile = SeccompProfile.builder().architectures(Architecture.AARCH64)
                    .rule("getpid", SeccompAction.ALLOW, ArgCheck.maskedEq(2, mask, value)).build();
            for (long a : new long[] {value, value | ~mask, random.nextLong(), value ^ Long.lowestOneBit(mask | 1),
                    value ^ Long.highestOneBit(mask | 1)}) {
                int expected = (a & mask) == value ? ALLOW : EPERM;
                assertThat(run(profile, Arch.AARCH64, nr(Arch.AARCH64, "getpid"), 0, 0, a).action())
                        .as("(0x%x & 0x%x) == 0x%x", a, mask, value).isEqualTo(expected);
            }
        }
    }

    @Test
    void rulesOfOneSyscallAreTriedInOrderAndAllChecksOfARuleMustHold() {
        SeccompProfile profile = SeccompProfile.builder().architectures(Architecture.X86_64)
                .rule("kill", SeccompAction.errno(1), ArgCheck.eq(0, 1), ArgCheck.eq(1, 9))
                .rule("kill", SeccompAction.errno(2), ArgCheck.ge(0, 1), ArgCheck.le(0, 10))
                .rule("kill", SeccompAction.ALLOW, ArgCheck.gt(1, 0))
                .build();
        int base = Linux.SECCOMP_RET_ERRNO();
        assertThat(action(profile, Arch.X86_64, "kill", 1, 9)).isEqualTo(base | 1);
        assertThat(action(profile, Arch.X86_64, "kill", 1, 15)).isEqualTo(base | 2);
        assertThat(action(profile, Arch.X86_64, "kill", 11, 15)).isEqualTo(ALLOW);
        assertThat(action(profile, Arch.X86_64, "kill", 11, 0)).isEqualTo(EPERM);
    }

    /**
     * Hundreds of rules, each with its own action and argument checks, and alternating
     * outcomes so the tree has a range per number: every jump farther than 255 must go
     * through a {@code ja}, and every syscall must still get its own action.
     */
    @ParameterizedTest
    @EnumSource(Arch.class)
    void longJumpsAreCorrectWithHundredsOfRules(Arch arch) {
        SyscallTable table = SyscallTable.of(arch);
        SeccompProfile.Builder builder = SeccompProfile.builder().architectures(Architecture.of(arch))
                .unknownSyscallAction(SeccompAction.errno(Linux.ENOSYS()));
        for (var entry : table.byNumber().entrySet()) {
            int n = entry.getKey();
            if (n % 3 == 0) {
                builder.rule(entry.getValue(), SeccompAction.ALLOW, ArgCheck.eq(0, n), ArgCheck.ne(1, 0xdeadL << 32));
                builder.rule(entry.getValue(), SeccompAction.errno(1 + n % 4000), ArgCheck.gt(0, 1L << 33));
            } else if (n % 3 == 1) {
                builder.rule(entry.getValue(), SeccompAction.errno(1 + n % 4000));
            }
        }
        SeccompProfile profile = builder.build();
        BpfProgram program = profile.program(arch);
        assertThat(program.instructions()).anyMatch(i -> i.code() == Bpf.JA && i.k() > 255);
        assertThat(program.instructions()).allSatisfy(i -> {
            assertThat(i.jt()).isBetween(0, 255);
            assertThat(i.jf()).isBetween(0, 255);
        });
        int base = Linux.SECCOMP_RET_ERRNO();
        for (var entry : table.byNumber().entrySet()) {
            int n = entry.getKey();
            String name = entry.getValue();
            if (n % 3 == 0) {
                assertThat(run(profile, arch, n, n, 0).action()).as(name).isEqualTo(ALLOW);
                assertThat(run(profile, arch, n, n, 0xdeadL << 32).action()).as(name).isEqualTo(EPERM);
                assertThat(run(profile, arch, n, 3L << 33).action()).as(name).isEqualTo(base | (1 + n % 4000));
                assertThat(run(profile, arch, n, n + 1).action()).as(name).isEqualTo(EPERM);
            } else if (n % 3 == 1) {
                assertThat(run(profile, arch, n).action()).as(name).isEqualTo(base | (1 + n % 4000));
            } else {
                assertThat(run(profile, arch, n).action()).as(name).isEqualTo(EPERM);
            }
        }
        assertThat(run(profile, arch, table.byNumber().lastKey() + 1).action()).isEqualTo(ENOSYS);
    }

    /** The dispatch is a binary search: the instructions a call runs grow with log2 of the ranges, not their count. */
    @ParameterizedTest
    @EnumSource(Arch.class)
    void dispatchRunsLogarithmicallyManyInstructions(Arch arch) {
        SyscallTable table = SyscallTable.of(arch);
        SeccompProfile.Builder builder = SeccompProfile.builder().architectures(Architecture.of(arch));
        for (var entry : table.byNumber().entrySet()) {
            builder.rule(entry.getValue(), entry.getKey() % 2 == 0 ? SeccompAction.ALLOW : SeccompAction.errno(1));
        }
        SeccompProfile alternating = builder.build(); // about twice as many ranges as syscalls
        for (SeccompProfile profile : List.of(alternating, SeccompProfile.defaultProfile())) {
            int ranges = (int) profile.program(arch).instructions().stream().filter(i -> i.code() == Bpf.RET).count();
            int depth = 32 - Integer.numberOfLeadingZeros(ranges - 1); // ceil(log2(ranges))
            int preamble = arch == Arch.X86_64 ? 4 : 3;
            int worst = 0;
            for (int n = 0; n <= table.byNumber().lastKey() + 2; n++) {
                if (n == table.number("clone").orElse(-1) || n == table.number("personality").orElse(-1)) {
                    continue; // argument checks come after the search
                }
                worst = Math.max(worst, run(profile, arch, n).executed());
            }
            // Each level is one jge, plus at most one ja where a jump is long; then the ret.
            assertThat(worst).as("%d ranges", ranges).isLessThanOrEqualTo(preamble + 2 * depth + 1)
                    .isLessThan(ranges / 4);
        }
    }

    @Test
    void describeShowsTheCountAndASymbolicDisassembly() {
        String text = SeccompProfile.defaultProfile().describe(Architecture.X86_64);
        int count = SeccompProfile.defaultProfile().instructionCount(Architecture.X86_64);
        String[] lines = text.split("\n");
        assertThat(lines[0]).startsWith("seccomp filter for x86_64: " + count + " instructions; default ERRNO(EPERM),"
                + " numbers not in the table ERRNO(ENOSYS)");
        assertThat(lines).hasSize(count + 1);
        assertThat(lines[1]).matches("\\s+0  ld   \\[4]\\s+; A = arch");
        assertThat(lines[2]).contains("jeq  #0xc000003e", "A == AUDIT_ARCH_X86_64");
        assertThat(lines[4]).contains("jge  #0x40000000", "A >= x32 ABI bit");
        assertThat(lines[5]).contains("ret  KILL_PROCESS");
        assertThat(text).containsPattern("jge  #0x[0-9a-f]+ +jt \\d+ +jf \\d+ +; A >= [a-z0-9_]+\\(\\d+\\)");
        assertThat(text).contains("ret  ERRNO(EPERM)", "ret  ERRNO(ENOSYS)", "ret  ALLOW", "A = args[0] low",
                "and  #0x7e020000");
        assertThat(SeccompProfile.defaultProfile().describe(Architecture.AARCH64)).contains("AUDIT_ARCH_AARCH64")
                .doesNotContain("x32");
        assertThat(SeccompProfile.unconfined().describe()).isEqualTo("seccomp: unconfined (no filter)\n");
    }

    /** Facts the tests state independently of the compiler. */
    static final class FilterCompilerFacts {
        /** __X32_SYSCALL_BIT of x86_64's <asm/unistd.h>. */
        static final int X32 = 0x40000000;
    }
}
