package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.bindings.clone_args;
import dev.hako.bindings.siginfo_t;
import dev.hako.namespaces.launch.ChildProgram.Arg;
import dev.hako.namespaces.launch.ChildProgram.Label;
import dev.hako.namespaces.launch.ChildProgram.Step;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * The rows of a supervised start ({@link LaunchSpec#supervised()}): the child forks the
 * command instead of becoming it, and stays as its supervisor. It forwards the
 * {@link #FORWARDED} signals to the command, waits for it, and ends the way it ended (dies
 * by the same signal, or exits with its status).
 *
 * <p>With a new pid namespace the supervisor first unshares it and forks its PID 1: a
 * process that ignores SIGCHLD, so the kernel reaps every orphan reparented to it without
 * a wait, and that blocks until it is killed. Only then comes the command, as PID 2 and
 * the supervisor's child, whose status the supervisor therefore keeps (the reaper could
 * not: execve resets a child's exit signal to SIGCHLD, which the reaper ignores). When the
 * command has ended, the supervisor kills PID 1, which takes every process left in the
 * namespace with it, and waits for that.
 *
 * <p>All of it is rows. The forwarding loop is bounded by the interpreter's iteration
 * limit; when that runs out the supervisor escapes to its final wait and stops forwarding
 * (the plan states the bound). Reaping orphans is the kernel's, unbounded. Both extra
 * processes are copies of the JVM, made non-dumpable so that nothing in the container
 * without CAP_SYS_PTRACE over the JVM's user namespace can read their memory.
 */
public final class SupervisorCompiler {

    /**
     * The signals a supervisor forwards to the command. Not SIGWINCH: a terminal sends it to
     * its whole foreground process group, the command included, so forwarding only doubled
     * it, and every resize of an interactive shell's terminal spent a forwarding round.
     */
    static final int[] FORWARDED = {Linux.SIGHUP(), Linux.SIGINT(), Linux.SIGQUIT(), Linux.SIGUSR1(), Linux.SIGUSR2(),
            Linux.SIGTERM()};
    /** Fewer forwarding rounds than this means the program is too long to supervise usefully. */
    private static final int MIN_ROUNDS = 64;

    private SupervisorCompiler() {
    }

    /**
     * Adds the supervisor's rows, with the command's own steps where the command's process
     * runs: its setup, then (after it, since a change of credentials clears the setting) a
     * parent-death signal that ends it with the supervisor, then its execve.
     */
    static void compile(LaunchSpec spec, ChildProgram program, Consumer<ChildProgram> commandSetup,
                        Consumer<ChildProgram> commandExec) {
        requireLoopsWithoutPolls(LoopPolls.EVERY_ITERATION);
        boolean reaper = spec.reaperAsPid1();
        if (reaper) {
            program.step(new Step("unshare", "CLONE_NEWPID  (children start in a new pid namespace)"),
                    Linux.SYS_unshare(), Linux.CLONE_NEWPID());
        }
        program.step(new Step("prctl", "PR_SET_DUMPABLE, 0"), Linux.SYS_prctl(), Linux.PR_SET_DUMPABLE(), 0, 0, 0, 0);
        ChildCompiler.parentDeathSignal(spec, program);
        // Only exits wake the supervisor: a stopped or continued command raises no SIGCHLD.
        MemorySegment noStopSignals = program.allocate(32); // struct sigaction: handler, then flags
        noStopSignals.set(ValueLayout.JAVA_LONG, 8, Linux.SA_NOCLDSTOP());
        program.step(new Step("rt_sigaction", "SIGCHLD, {SIG_DFL, SA_NOCLDSTOP}, NULL, 8"), Linux.SYS_rt_sigaction(),
                Linux.SIGCHLD(), noStopSignals.address(), 0, 8);
        MemorySegment awaited = program.allocate(8);
        long mask = 1L << (Linux.SIGCHLD() - 1);
        StringJoiner names = new StringJoiner(" ", "[", "]");
        for (int signal : FORWARDED) {
            mask |= 1L << (signal - 1);
            names.add(dev.hako.syscalls.Signal.name(signal).substring(3));
        }
        names.add("CHLD");
        awaited.set(ValueLayout.JAVA_LONG, 0, mask);
        program.step(new Step("rt_sigprocmask", "SIG_BLOCK, " + names + ", NULL, 8"), Linux.SYS_rt_sigprocmask(),
                Linux.SIG_BLOCK(), awaited.address(), 0, 8);
        MemorySegment empty = program.allocate(8);
        int pid1 = reaper ? program.newRegister() : -1;
        if (reaper) {
            reaper(program, pid1, empty);
        }

        int command = program.newRegister();
        Label supervisor = new Label();
        fork(program, "<command pid>", command, supervisor);
        unblockAll(program, empty, 0);
        commandSetup.accept(program);
        dieWithSupervisor(program);
        commandExec.accept(program);

        // The supervisor holds no descriptor: the parent sees EOF on the report pipe once the
        // command has exec'd, and no pipe of the command's stays open because of it.
        program.bind(supervisor);
        dropDescriptors(program);
        name(program, "hako-supervisor");
        Label wait = new Label();
        Label reap = new Label();
        int signal = program.newRegister();
        program.bind(wait);
        int loopStart = program.size();
        program.stepWith(new Step("rt_sigtimedwait", names + ", NULL, NULL, 8", " = <signal>"),
                Linux.SYS_rt_sigtimedwait(), ChildProgram.IGNORE_FAILURE, signal, Arg.of(awaited.address()), Arg.of(0),
                Arg.of(0), Arg.of(8))
                .jumpIf(signal, Linux.SIGCHLD(), true, reap, "<signal> is SIGCHLD (the command exited)");
        program.stepWith(new Step("kill", "<command pid>, <signal>"), Linux.SYS_kill(), ChildProgram.IGNORE_FAILURE, -1,
                Arg.register(command), Arg.register(signal))
                .jump(wait);
        // Out of rounds: stop blocking the forwarded signals, so that one sent to the
        // supervisor (destroy()'s SIGTERM) ends it, and with it PID 1 and the namespace.
        Label escape = new Label();
        program.bind(escape);
        MemorySegment forwardedOnly = program.allocate(8);
        forwardedOnly.set(ValueLayout.JAVA_LONG, 0, mask & ~(1L << (Linux.SIGCHLD() - 1)));
        program.stepWith(new Step("rt_sigprocmask", "SIG_UNBLOCK, " + names.toString().replace(" CHLD", "")
                + ", NULL, 8  (only when out of forwarding rounds)"), Linux.SYS_rt_sigprocmask(),
                ChildProgram.IGNORE_FAILURE, -1, Arg.of(Linux.SIG_UNBLOCK()), Arg.of(forwardedOnly.address()),
                Arg.of(0), Arg.of(8));
        program.bind(reap);
        program.escapeTo(escape);
        endAsTheCommandEnded(program, command, pid1, empty);
        int rounds = program.roundsBeforeEscape(loopStart, 2);
        if (rounds < MIN_ROUNDS) {
            throw new IllegalArgumentException("the child program has too many steps (" + program.size()
                    + ") to leave the supervisor room to forward signals; use fewer mounts or capabilities");
        }
        program.note(loopStart, "  (forwards up to " + rounds + " signals, then stops blocking them and waits)");
    }

    /** Refuses a supervised start on a JVM whose counted loops poll for safepoints at every iteration. */
    static void requireLoopsWithoutPolls(boolean pollEveryIteration) {
        if (pollEveryIteration) {
            throw new IllegalArgumentException("a supervised start (init, a joined pid namespace, time offsets) loops in"
                    + " the child, which this JVM would make poll for safepoints at every iteration"
                    + " (-XX:+UseCountedLoopSafepoints with -XX:LoopStripMiningIter=0); a poll armed at the fork blocks"
                    + " the child forever. Run without -XX:LoopStripMiningIter=0");
        }
    }

    /** PID 1: ignores SIGCHLD so the kernel reaps orphans, dies with the supervisor, blocks. */
    private static void reaper(ChildProgram program, int pid1, MemorySegment empty) {
        Label afterReaper = new Label();
        fork(program, "<pid 1>", pid1, afterReaper);
        dropDescriptors(program);
        unblockAll(program, empty, 0);
        MemorySegment ignore = program.allocate(32);
        ignore.set(ValueLayout.JAVA_LONG, 0, 1); // SIG_IGN
        program.step(new Step("rt_sigaction", "SIGCHLD, {SIG_IGN}, NULL, 8  (the kernel reaps orphans)"),
                Linux.SYS_rt_sigaction(), Linux.SIGCHLD(), ignore.address(), 0, 8);
        dieWithSupervisor(program);
        name(program, "hako-init");
        program.stepWith(new Step("ppoll", "NULL, 0, NULL, NULL, 8  (blocks until killed)"), Linux.SYS_ppoll(),
                ChildProgram.IGNORE_FAILURE, -1, Arg.of(0), Arg.of(0), Arg.of(0), Arg.of(0), Arg.of(8));
        program.step(new Step("exit_group", "0"), Linux.SYS_exit_group(), 0);
        program.bind(afterReaper);
    }

    /**
     * Reaps the command, ends the namespace's other processes through PID 1, then dies by
     * the command's signal (unblocked first) or exits with its status.
     */
    private static void endAsTheCommandEnded(ChildProgram program, int command, int pid1, MemorySegment empty) {
        Label exited = new Label();
        int info = program.newSlots((int) (siginfo_t.sizeof() + 7) / 8);
        int code = info + (int) siginfo_t.si_code$offset() / 8;
        int status = info + (int) siginfo_t.si_status$offset() / 8;
        program.stepWith(new Step("waitid", "P_PID, <command pid>, &info, WEXITED, NULL"), Linux.SYS_waitid(),
                ChildProgram.IGNORE_FAILURE, -1, Arg.of(Linux.P_PID()), Arg.register(command), Arg.slotAddress(info),
                Arg.of(Linux.WEXITED()), Arg.of(0));
        if (pid1 >= 0) {
            program.stepWith(new Step("kill", "<pid 1>, SIGKILL  (ends what is left in the namespace)"), Linux.SYS_kill(),
                    ChildProgram.IGNORE_FAILURE, -1, Arg.register(pid1), Arg.of(Linux.SIGKILL()));
            program.stepWith(new Step("waitid", "P_PID, <pid 1>, NULL, WEXITED, NULL"), Linux.SYS_waitid(),
                    ChildProgram.IGNORE_FAILURE, -1, Arg.of(Linux.P_PID()), Arg.register(pid1), Arg.of(0),
                    Arg.of(Linux.WEXITED()), Arg.of(0));
        }
        unblockAll(program, empty, ChildProgram.IGNORE_FAILURE)
                .jumpIf(code, Linux.CLD_EXITED(), true, exited, "info.si_code is CLD_EXITED");
        int self = program.newRegister();
        program.stepWith(new Step("getpid", ""), Linux.SYS_getpid(), 0, self);
        program.stepWith(new Step("kill", "<self>, info.si_status  (die as the command died)"), Linux.SYS_kill(),
                ChildProgram.IGNORE_FAILURE, -1, Arg.register(self), Arg.register(status));
        program.stepWith(new Step("exit_group", "128 + info.si_status  (the signal did not end this process)"),
                Linux.SYS_exit_group(), 0, -1, Arg.register(status, 128));
        program.bind(exited);
        program.stepWith(new Step("exit_group", "info.si_status"), Linux.SYS_exit_group(), 0, -1, Arg.register(status));
    }

    /** A plain fork (exit signal SIGCHLD) whose parent side continues at {@code parent}. */
    private static void fork(ChildProgram program, String result, int slot, Label parent) {
        MemorySegment cloneArgs = program.allocate(clone_args.sizeof());
        clone_args.exit_signal(cloneArgs, Linux.SIGCHLD());
        program.stepWith(new Step("clone3", "{exit_signal=SIGCHLD}, " + clone_args.sizeof(), " = " + result),
                Linux.SYS_clone3(), 0, slot, Arg.of(cloneArgs.address()), Arg.of(clone_args.sizeof()))
                .jumpIf(slot, 0, false, parent, "in the parent");
    }

    private static void dieWithSupervisor(ChildProgram program) {
        program.step(new Step("prctl", "PR_SET_PDEATHSIG, SIGKILL  (dies with the supervisor)"), Linux.SYS_prctl(),
                Linux.PR_SET_PDEATHSIG(), Linux.SIGKILL(), 0, 0, 0);
    }

    private static ChildProgram unblockAll(ChildProgram program, MemorySegment empty, long flags) {
        return program.stepWith(new Step("rt_sigprocmask", "SIG_SETMASK, [], NULL, 8"), Linux.SYS_rt_sigprocmask(),
                flags, -1, Arg.of(Linux.SIG_SETMASK()), Arg.of(empty.address()), Arg.of(0), Arg.of(8));
    }

    private static void dropDescriptors(ChildProgram program) {
        program.stepWith(new Step("close_range", "0, ~0U, 0"), Linux.SYS_close_range(), ChildProgram.IGNORE_FAILURE, -1,
                Arg.of(0), Arg.of(0xffffffffL), Arg.of(0));
    }

    private static void name(ChildProgram program, String name) {
        program.stepWith(new Step("prctl", "PR_SET_NAME, \"" + name + "\""), Linux.SYS_prctl(),
                ChildProgram.IGNORE_FAILURE, -1, Arg.of(Linux.PR_SET_NAME()), Arg.of(program.string(name)));
    }
}
