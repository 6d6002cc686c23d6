package dev.hako.namespaces;

import dev.hako.bindings.Arch;
import dev.hako.bindings.Linux;
import dev.hako.bindings.SyscallTable;
import dev.hako.namespaces.seccomp.BpfProgram;
import dev.hako.namespaces.seccomp.FilterCompiler;
import dev.hako.namespaces.seccomp.FilterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A seccomp filter policy: what a container's syscalls may do, by syscall name, with
 * optional comparisons of their arguments. The container's child installs it with
 * seccomp(2) as its last step before execve, compiled to classic BPF in Java (no libseccomp).
 *
 * <pre>{@code
 * SeccompProfile profile = SeccompProfile.builder()
 *         .defaultAction(SeccompAction.errno(Linux.EPERM()))
 *         .allow("read", "write", "exit_group", "execve", "brk", "mmap")
 *         .rule("personality", SeccompAction.ALLOW, SeccompProfile.ArgCheck.eq(0, 0))
 *         .build();
 * new ContainerBuilder("/bin/true").seccomp(profile);
 * }</pre>
 *
 * <p>How a syscall is decided: the rules of its name, in the order they were added; the
 * first whose checks all hold gives the action. A syscall the architecture's table knows
 * but no rule decides gets the {@linkplain Builder#defaultAction default action}; a number
 * the table does not list (a syscall newer than the headers the table was generated from)
 * gets the {@linkplain Builder#unknownSyscallAction unknown-syscall action}. A call from
 * another architecture's ABI (i386 on x86_64) and, on x86_64, an x32 call kill the process:
 * their numbers mean other calls.
 *
 * <p>Names are checked against the syscall table of every {@linkplain Architecture architecture}
 * of the profile (generated from the kernel headers); {@link #describe()} prints the filter the running
 * architecture gets, instruction by instruction. A profile is immutable.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/seccomp.2.html">seccomp(2)</a>
 * @see <a href="https://docs.kernel.org/userspace-api/seccomp_filter.html">Seccomp BPF (kernel documentation)</a>
 */
public final class SeccompProfile {

    private static final SeccompProfile UNCONFINED = new SeccompProfile(null);

    /**
     * A machine architecture a profile makes a filter for. The filter checks the
     * architecture of every call (seccomp_data.arch, an AUDIT_ARCH_* value) and uses that
     * architecture's syscall numbers.
     */
    public enum Architecture {
        /** x86-64 (AUDIT_ARCH_X86_64); x32 and i386 calls are killed. */
        X86_64(Arch.X86_64),
        /** 64-bit Arm (AUDIT_ARCH_AARCH64). */
        AARCH64(Arch.AARCH64);

        private final Arch arch;

        Architecture(Arch arch) {
            this.arch = arch;
        }

        /** The architecture this JVM runs on. */
        public static Architecture current() {
            return of(Arch.CURRENT);
        }

        /**
         * Whether this architecture has a syscall of that name: profiles written for several
         * architectures (Docker's, the OCI spec's) list calls that only some of them have,
         * and {@link Builder#ruleOn} refuses a name the architecture does not know.
         */
        public boolean hasSyscall(String name) {
            return SyscallTable.of(arch).number(Objects.requireNonNull(name, "name")).isPresent();
        }

        /** The bindings' architecture, whose syscall table and AUDIT_ARCH value the filter uses. */
        Arch arch() {
            return arch;
        }

        /** The architecture of the bindings' {@code arch}. */
        static Architecture of(Arch arch) {
            return switch (arch) {
                case X86_64 -> X86_64;
                case AARCH64 -> AARCH64;
            };
        }
    }

    /** One rule as the builder took it. */
    private record Rule(String syscall, Arch onlyOn, SeccompAction action, List<ArgCheck> checks, boolean wherePresent) {
    }

    private final Builder settings;
    private final Map<Arch, FilterSpec> specs = new EnumMap<>(Arch.class);
    private final Map<Arch, BpfProgram> programs = new EnumMap<>(Arch.class);

    private SeccompProfile(Builder settings) {
        this.settings = settings;
    }

    /** A builder: default action EPERM, both architectures, no rules. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The profile Hako installs by default: an allowlist with Docker's semantics, written
     * from the documented reasons rather than copied. What ordinary programs need is
     * allowed (file and socket I/O, memory, threads and fork, signals, timers, ptys, IPC);
     * every other known syscall fails with EPERM (among them mount, umount2, pivot_root,
     * unshare, setns, ptrace, process_vm_readv/writev, bpf, perf_event_open, the keyring
     * calls, kexec, module loading, reboot, swap, acct, setting the clocks, userfaultfd,
     * open_by_handle_at, io_uring); clone is allowed only without CLONE_NEW* flags, and
     * personality only with the usual values. Numbers the table does not know fail with
     * ENOSYS, and so does clone3, whose flags are in memory a filter cannot read: glibc
     * then falls back to clone, whose flags the filter checks.
     */
    public static SeccompProfile defaultProfile() {
        return DefaultSeccompProfile.PROFILE;
    }

    /** No filter at all: the container's syscalls are not filtered. */
    public static SeccompProfile unconfined() {
        return UNCONFINED;
    }

    /** Whether this is {@link #unconfined()}: no filter is installed. */
    public boolean isUnconfined() {
        return settings == null;
    }

    /** The action for known syscalls that no rule decides. */
    public SeccompAction defaultAction() {
        requireFilter();
        return settings.defaultAction;
    }

    /** The action for numbers the syscall table does not list. */
    public SeccompAction unknownSyscallAction() {
        requireFilter();
        return settings.unknownAction == null ? settings.defaultAction : settings.unknownAction;
    }

    /** The architectures the profile has a filter for. */
    public Set<Architecture> architectures() {
        if (isUnconfined()) {
            return Set.of();
        }
        EnumSet<Architecture> result = EnumSet.noneOf(Architecture.class);
        for (Arch arch : settings.architectures) {
            result.add(Architecture.of(arch));
        }
        return Collections.unmodifiableSet(result);
    }

    /** The number of BPF instructions of the filter for {@code architecture}. */
    public int instructionCount(Architecture architecture) {
        return program(architecture.arch()).size();
    }

    /** The filter of the running architecture: {@link #describe(Architecture)} for {@link Architecture#current()}. */
    public String describe() {
        return isUnconfined() ? "seccomp: unconfined (no filter)\n" : describe(Arch.CURRENT);
    }

    /**
     * The filter for {@code arch} as text: a summary line with the instruction count, then
     * a disassembly (line, mnemonic, operand, absolute jump targets, and what the operand
     * means: a seccomp_data field, a syscall name, an action).
     */
    public String describe(Architecture architecture) {
        return describe(architecture.arch());
    }

    private String describe(Arch arch) {
        if (isUnconfined()) {
            return "seccomp: unconfined (no filter)\n";
        }
        BpfProgram program = program(arch);
        FilterSpec spec = specs.get(arch);
        return "seccomp filter for " + archName(arch) + ": " + program.size() + " instructions; default "
                + defaultAction() + ", numbers not in the table " + unknownSyscallAction() + "; "
                + spec.rules().values().stream().filter(r -> !r.getFirst().checks().isEmpty()).count()
                + " syscalls with argument checks; table " + spec.table().source() + "\n" + program.disassemble();
    }

    @Override
    public String toString() {
        return isUnconfined() ? "SeccompProfile[unconfined]" : "SeccompProfile[default " + defaultAction() + ", "
                + settings.rules.size() + " rules, " + settings.architectures + "]";
    }

    /** The compiled filter for {@code arch} (compiled by {@link Builder#build()}). */
    BpfProgram program(Arch arch) {
        requireFilter();
        if (!settings.architectures.contains(arch)) {
            throw new IllegalArgumentException("the seccomp profile has no filter for " + archName(arch)
                    + "; its architectures are " + names(settings.architectures));
        }
        return programs.get(arch);
    }

    /**
     * Refuses, before any fork, a profile the child cannot install and live with on
     * {@code arch}: one without a filter for it, or one under which exit_group could return
     * (the child ends with exit_group when a step fails, execve included; it must never
     * return into the JVM's code).
     */
    void checkInstallable(Arch arch) {
        if (!settings.architectures.contains(arch)) {
            throw new IllegalArgumentException("the seccomp profile has no filter for this machine's architecture "
                    + archName(arch) + "; its architectures are " + names(settings.architectures));
        }
        FilterSpec spec = specs.get(arch);
        int exitGroup = spec.table().number("exit_group").orElseThrow();
        List<FilterSpec.Rule> rules = spec.rules().getOrDefault(exitGroup, List.of());
        int action = rules.isEmpty() ? spec.defaultAction() : rules.getFirst().action();
        boolean ends = rules.isEmpty() || rules.getFirst().checks().isEmpty();
        int kind = action & Linux.SECCOMP_RET_ACTION_FULL();
        if (!ends || !(kind == Linux.SECCOMP_RET_ALLOW() || kind == Linux.SECCOMP_RET_LOG()
                || kind == Linux.SECCOMP_RET_KILL_PROCESS() || kind == Linux.SECCOMP_RET_KILL_THREAD())) {
            throw new IllegalArgumentException("the seccomp profile must let exit_group run unconditionally (its action"
                    + " is " + (ends ? BpfProgram.action(action) : "decided by argument checks") + "): a child whose"
                    + " step fails ends with exit_group");
        }
    }

    private void requireFilter() {
        if (isUnconfined()) {
            throw new IllegalStateException("the unconfined seccomp profile has no filter");
        }
    }

    static String archName(Arch arch) {
        return arch.name().toLowerCase(Locale.ROOT);
    }

    private static List<String> names(Set<Arch> arches) {
        return arches.stream().map(SeccompProfile::archName).toList();
    }

    /**
     * A comparison of one syscall argument (index 0..5) with a 64-bit constant, unsigned.
     * The filter compares 32 bits at a time (classic BPF has 32-bit registers): the high
     * words first, then the low words.
     */
    public static final class ArgCheck {
        private final FilterSpec.Check check;

        private ArgCheck(int arg, FilterSpec.Op op, long mask, long value) {
            if (arg < 0 || arg > 5) {
                throw new IllegalArgumentException("seccomp argument index " + arg + " is outside 0..5: a syscall"
                        + " has six arguments, args[0] to args[5]");
            }
            this.check = new FilterSpec.Check(arg, op, mask, value);
        }

        /** {@code args[arg] == value}. */
        public static ArgCheck eq(int arg, long value) {
            return new ArgCheck(arg, FilterSpec.Op.EQ, -1, value);
        }

        /** {@code args[arg] != value}. */
        public static ArgCheck ne(int arg, long value) {
            return new ArgCheck(arg, FilterSpec.Op.NE, -1, value);
        }

        /** {@code args[arg] < value}, unsigned. */
        public static ArgCheck lt(int arg, long value) {
            return new ArgCheck(arg, FilterSpec.Op.LT, -1, value);
        }

        /** {@code args[arg] <= value}, unsigned. */
        public static ArgCheck le(int arg, long value) {
            return new ArgCheck(arg, FilterSpec.Op.LE, -1, value);
        }

        /** {@code args[arg] > value}, unsigned. */
        public static ArgCheck gt(int arg, long value) {
            return new ArgCheck(arg, FilterSpec.Op.GT, -1, value);
        }

        /** {@code args[arg] >= value}, unsigned. */
        public static ArgCheck ge(int arg, long value) {
            return new ArgCheck(arg, FilterSpec.Op.GE, -1, value);
        }

        /**
         * {@code (args[arg] & mask) == value}: for flags ({@code maskedEq(0, CLONE_NEWUSER, 0)}
         * holds when CLONE_NEWUSER is clear).
         *
         * @throws IllegalArgumentException when {@code value} has bits outside {@code mask} (it could never hold)
         */
        public static ArgCheck maskedEq(int arg, long mask, long value) {
            if ((value & ~mask) != 0) {
                throw new IllegalArgumentException("seccomp masked comparison of args[" + arg + "] can never hold: value 0x"
                        + Long.toHexString(value) + " has bits outside mask 0x" + Long.toHexString(mask));
            }
            return new ArgCheck(arg, FilterSpec.Op.MASKED_EQ, mask, value);
        }

        @Override
        public String toString() {
            return check.toString();
        }
    }

    /**
     * Builds a {@link SeccompProfile}; {@link #build()} checks every name against the
     * syscall table of every architecture and refuses what could not work, naming it.
     */
    public static final class Builder {
        private SeccompAction defaultAction = SeccompAction.errno(Linux.EPERM());
        private SeccompAction unknownAction;
        private EnumSet<Arch> architectures = EnumSet.of(Arch.X86_64, Arch.AARCH64);
        private boolean strict;
        private final List<Rule> rules = new ArrayList<>();

        private Builder() {
        }

        /** The action for known syscalls no rule decides (default: {@code errno(EPERM)}). */
        public Builder defaultAction(SeccompAction action) {
            this.defaultAction = Objects.requireNonNull(action, "seccomp default action");
            return this;
        }

        /**
         * The action for numbers the syscall table does not list, such as calls newer than
         * the table (default: the default action). ENOSYS there lets a C library fall back
         * to an older call, as it does on an older kernel.
         */
        public Builder unknownSyscallAction(SeccompAction action) {
            this.unknownAction = Objects.requireNonNull(action, "seccomp unknown-syscall action");
            return this;
        }

        /** The architectures to make filters for (default: x86_64 and aarch64). */
        public Builder architectures(Architecture... architectures) {
            if (architectures.length == 0) {
                throw new IllegalArgumentException("seccomp architectures: give at least one");
            }
            EnumSet<Arch> arches = EnumSet.noneOf(Arch.class);
            for (Architecture architecture : architectures) {
                arches.add(Objects.requireNonNull(architecture, "architecture").arch());
            }
            this.architectures = arches;
            return this;
        }

        /** Refuse to build a profile that allows everything: no rule and default action ALLOW. */
        public Builder strict() {
            this.strict = true;
            return this;
        }

        /** Allows these syscalls whatever their arguments, on every architecture of the profile. */
        public Builder allow(String... syscalls) {
            for (String syscall : syscalls) {
                add(syscall, null, SeccompAction.ALLOW, new ArgCheck[0], false);
            }
            return this;
        }

        /** Allows these syscalls on {@code arch} only (for calls other architectures lack, such as open on aarch64). */
        public Builder allowOn(Architecture architecture, String... syscalls) {
            Arch arch = Objects.requireNonNull(architecture, "architecture").arch();
            for (String syscall : syscalls) {
                add(syscall, arch, SeccompAction.ALLOW, new ArgCheck[0], false);
            }
            return this;
        }

        /**
         * Adds a rule on every architecture: {@code action} when all {@code checks} hold
         * (always, with none). Rules of one syscall are tried in the order they were added.
         */
        public Builder rule(String syscall, SeccompAction action, ArgCheck... checks) {
            return add(syscall, null, action, checks, false);
        }

        /** Adds a rule for {@code arch} only; otherwise as {@link #rule}. */
        public Builder ruleOn(Architecture architecture, String syscall, SeccompAction action, ArgCheck... checks) {
            return add(syscall, Objects.requireNonNull(architecture, "architecture").arch(), action, checks, false);
        }

        /** Allows the syscalls that exist, on each architecture, and skips the others (the default profile's lists). */
        Builder allowWherePresent(String... syscalls) {
            for (String syscall : syscalls) {
                add(syscall, null, SeccompAction.ALLOW, new ArgCheck[0], true);
            }
            return this;
        }

        private Builder add(String syscall, Arch onlyOn, SeccompAction action, ArgCheck[] checks, boolean wherePresent) {
            Objects.requireNonNull(syscall, "seccomp rule syscall name");
            Objects.requireNonNull(action, "seccomp rule action for " + syscall);
            for (ArgCheck check : checks) {
                Objects.requireNonNull(check, "seccomp rule argument check for " + syscall);
            }
            rules.add(new Rule(syscall, onlyOn, action, List.of(checks), wherePresent));
            return this;
        }

        /**
         * Checks the rules and makes the profile.
         *
         * @throws IllegalArgumentException naming the syscall, architecture or setting at fault
         */
        public SeccompProfile build() {
            if (strict && rules.isEmpty() && defaultAction.equals(SeccompAction.ALLOW)) {
                throw new IllegalArgumentException("seccomp profile is strict() but has no rule and its default action"
                        + " is ALLOW: the filter would allow every syscall");
            }
            Builder copy = new Builder();
            copy.defaultAction = defaultAction;
            copy.unknownAction = unknownAction;
            copy.architectures = EnumSet.copyOf(architectures);
            copy.strict = strict;
            copy.rules.addAll(rules);
            for (Rule rule : copy.rules) {
                if (rule.onlyOn() != null && !copy.architectures.contains(rule.onlyOn())) {
                    throw new IllegalArgumentException("seccomp rule for \"" + rule.syscall() + "\" is for "
                            + archName(rule.onlyOn()) + ", which is not among the profile's architectures "
                            + names(copy.architectures));
                }
            }
            SeccompProfile profile = new SeccompProfile(copy);
            for (Arch arch : copy.architectures) {
                FilterSpec spec = copy.spec(arch);
                profile.specs.put(arch, spec);
                profile.programs.put(arch, FilterCompiler.compile(spec));
            }
            return profile;
        }

        private FilterSpec spec(Arch arch) {
            SyscallTable table = SyscallTable.of(arch);
            Map<Integer, List<FilterSpec.Rule>> byNumber = new LinkedHashMap<>();
            for (Rule rule : rules) {
                if (rule.onlyOn() != null && rule.onlyOn() != arch) {
                    continue;
                }
                var number = table.number(rule.syscall());
                if (number.isEmpty()) {
                    if (rule.wherePresent()) {
                        continue;
                    }
                    throw new IllegalArgumentException("seccomp rule names syscall \"" + rule.syscall() + "\", which "
                            + archName(arch) + " does not have (" + table.source() + ")"
                            + (rule.onlyOn() == null ? "; use ruleOn/allowOn for a call only some architectures have"
                            : ""));
                }
                List<FilterSpec.Rule> list = byNumber.computeIfAbsent(number.getAsInt(), n -> new ArrayList<>());
                if (!list.isEmpty() && list.getLast().checks().isEmpty()) {
                    throw new IllegalArgumentException("seccomp rule " + (list.size() + 1) + " for \"" + rule.syscall()
                            + "\" on " + archName(arch) + " (" + rule.action() + ") can never apply: rule " + list.size()
                            + " has no argument checks and always decides");
                }
                list.add(new FilterSpec.Rule(rule.action().returnValue(),
                        rule.checks().stream().map(c -> c.check).toList()));
            }
            SeccompAction unknown = unknownAction == null ? defaultAction : unknownAction;
            return new FilterSpec(table, defaultAction.returnValue(), unknown.returnValue(), byNumber);
        }
    }
}
