package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.bindings.pollfd;
import dev.hako.bindings.siginfo_t;
import dev.hako.namespaces.launch.ChildProgram.Label;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.PollEvent;
import dev.hako.syscalls.WaitOption;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.NamespaceCalls;
import dev.hako.syscalls.calls.PrctlCalls;
import dev.hako.syscalls.calls.ProcessCalls;
import dev.hako.syscalls.calls.SignalCalls;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The rows of a supervised start ({@link LaunchSpec#supervised()}): the child forks the
 * command instead of becoming it, and stays as its supervisor. It forwards the
 * {@link #FORWARDED} signals to the command, waits for it, and ends the way it ended (dies
 * by the same signal, or exits with its status).
 *
 * <p>With a new pid namespace the supervisor first unshares it and forks its PID 1: a
 * process that ignores SIGCHLD, so the kernel reaps every orphan reparented to it without
 * a wait, and that blocks until it is killed or the supervisor has exited. Only then
 * comes the command, as PID 2 and the supervisor's child, whose status the supervisor
 * therefore keeps (the reaper could not: execve resets a child's exit signal to SIGCHLD,
 * which the reaper ignores). When the command has ended, the supervisor kills PID 1, which
 * takes every process left in the namespace with it, and exits.
 *
 * <p>PID 1 is forked with CLONE_PARENT: it is the JVM's child, not the supervisor's, and the
 * supervisor reports its pid so that the JVM reaps it as well. Both are copies of the
 * forking JVM, and tearing a copy down costs about as much as forking it; as the JVM's
 * children they are torn down at once, on two cores, where a supervisor that waited for
 * its PID 1 before exiting put one teardown after the other on every supervised start.
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
    static void compile(LaunchSpec spec, int reportWrite, ChildProgram program, Consumer<ChildProgram> commandSetup,
                        Consumer<ChildProgram> commandExec) {
        requireLoopsWithoutPolls(LoopPolls.EVERY_ITERATION);
        boolean reaper = spec.reaperAsPid1();
        if (reaper) {
            program.add(NamespaceCalls.unshare(EnumSet.of(NamespaceType.PID), Set.of()))
                    .then("  (children start in a new pid namespace)");
        }
        program.add(PrctlCalls.setDumpable(false));
        ChildCompiler.parentDeathSignal(spec, program);
        // Only exits wake the supervisor: a stopped or continued command raises no SIGCHLD.
        program.add(SignalCalls.rtSigaction(program.memory(), Linux.SIGCHLD(), SignalCalls.SIG_DFL,
                Linux.SA_NOCLDSTOP()));
        long awaited = 1L << (Linux.SIGCHLD() - 1);
        for (int signal : FORWARDED) {
            awaited |= 1L << (signal - 1);
        }
        program.add(SignalCalls.rtSigprocmask(program.memory(), Linux.SIG_BLOCK(), awaited));
        int pid1 = reaper ? program.newRegister() : -1;
        // The steps the supervisor skips: its children's, after each fork.
        int skipped = reaper ? reaper(program, pid1, reportWrite) : 0;

        int command = program.newRegister();
        Label supervisor = new Label();
        int commandFork = fork(program, "<command pid>", command, supervisor);
        unblockAll(program);
        commandSetup.accept(program);
        dieWithSupervisor(program);
        commandExec.accept(program);

        // The supervisor holds no descriptor: the parent sees EOF on the report pipe once the
        // command has exec'd, and no pipe of the command's stays open because of it.
        program.bind(supervisor);
        skipped += program.size() - commandFork - 1;
        // Named before its descriptors go: closing its end of the report pipe may be what
        // lets start() return, and the caller may look at it then.
        name(program, "hako-supervisor");
        dropDescriptors(program);
        Label wait = new Label();
        Label reap = new Label();
        int signal = program.newRegister();
        program.bind(wait);
        int loopStart = program.size();
        program.add(SignalCalls.rtSigtimedwait(program.memory(), awaited)).ignoringFailure().saveIn(signal)
                .then(" = <signal>")
                .jumpIf(signal, Linux.SIGCHLD(), true, reap, "<signal> is SIGCHLD (the command exited)");
        program.add(ProcessCalls.kill(0, 0)).ignoringFailure().fromSlot(0, command, "<command pid>")
                .fromSlot(1, signal, "<signal>")
                .jump(wait);
        // Out of rounds: stop blocking the forwarded signals, so that one sent to the
        // supervisor (destroy()'s SIGTERM) ends it, and with it PID 1 and the namespace.
        Label escape = new Label();
        program.bind(escape);
        program.add(SignalCalls.rtSigprocmask(program.memory(), Linux.SIG_UNBLOCK(),
                awaited & ~(1L << (Linux.SIGCHLD() - 1)))).ignoringFailure()
                .then("  (only when out of forwarding rounds)");
        program.bind(reap);
        program.escapeTo(escape);
        endAsTheCommandEnded(program, command, pid1);
        int rounds = program.roundsBeforeEscape(loopStart - skipped, 2);
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

    /**
     * PID 1: ignores SIGCHLD so the kernel reaps orphans, and lives exactly as long as the
     * supervisor. Returns the number of its steps, which the parent side skips.
     *
     * <p>It lives no longer because it blocks in ppoll on a pidfd of the supervisor, opened
     * before the fork: a pidfd is readable once its process has exited, before or after the
     * ppoll began, so even a supervisor killed right after the fork takes PID 1 with it. A
     * parent-death signal could not do this: its parent is the JVM's thread that forked the
     * supervisor (CLONE_PARENT), which may end long before the container, and in PID 1 of a
     * new namespace getppid() is always 0, so it could not check afterwards either. The
     * reaper keeps that descriptor, as fd 0, and no other; the supervisor closes its own
     * before it forks the command, which therefore never sees it.
     */
    private static int reaper(ChildProgram program, int pid1, int reportWrite) {
        int self = program.newRegister();
        int supervisorFd = program.newRegister();
        program.add(ProcessCalls.getpid()).saveIn(self).then(" = <supervisor pid>");
        program.add(ProcessCalls.pidfdOpen(0)).fromSlot(0, self, "<supervisor pid>").saveIn(supervisorFd)
                .then(" = <supervisor pidfd>");
        Label afterReaper = new Label();
        // CLONE_PARENT takes the supervisor's exit signal, and clone3 wants none of its own.
        int fork = program.size();
        program.add(ProcessCalls.clone3(program.memory(), ProcessCalls.CloneArgs.exitSignal(0)
                        .flags(Linux.CLONE_PARENT(), "CLONE_PARENT"))).saveIn(pid1)
                .then(" = <pid 1>  (the parent's child, PID 1 of the new pid namespace)")
                .jumpIf(pid1, 0, false, afterReaper, "in the parent");
        name(program, "hako-init");
        // Fails only when the pidfd is fd 0 already (EINVAL), which is what this step is for.
        program.add(FileCalls.dup3(0, 0, false)).ignoringFailure().fromSlot(0, supervisorFd, "<supervisor pidfd>");
        program.add(FileCalls.closeRange(1, -1, Set.of())).ignoringFailure();
        unblockAll(program);
        program.add(SignalCalls.rtSigaction(program.memory(), Linux.SIGCHLD(), SignalCalls.SIG_IGN, 0))
                .then("  (the kernel reaps orphans)");
        MemorySegment watched = program.allocate(pollfd.sizeof());
        pollfd.fd(watched, 0);
        pollfd.events(watched, (short) PollEvent.IN.bits());
        program.add(SignalCalls.ppoll(program.memory(), watched, null)).ignoringFailure()
                .then("  (blocks until the supervisor has exited, or until killed)");
        program.add(ProcessCalls.exitGroup(0));
        program.bind(afterReaper);
        int skipped = program.size() - fork - 1;
        program.add(FileCalls.close(0)).fromSlot(0, supervisorFd, "<supervisor pidfd>");
        ChildCompiler.reportPid(reportWrite, program, pid1, "<pid 1>", "the parent reaps PID 1 too");
        return skipped;
    }

    /**
     * Reaps the command, ends the namespace's other processes through PID 1, then dies by
     * the command's signal (unblocked first) or exits with its status.
     *
     * <p>PID 1 is killed by pid, which is safe only while its pid cannot have been reused:
     * the JVM reaps it, and could have done so already had it been killed from outside. So
     * the supervisor waits for the command's end without reaping it (WNOWAIT) and kills PID 1
     * before it does: a PID 1 cannot be reaped while a process of its namespace, such as the
     * unreaped command, is left, so until the command is reaped its pid is still PID 1's.
     * Its teardown then runs while the supervisor reaps the command and exits.
     */
    private static void endAsTheCommandEnded(ChildProgram program, int command, int pid1) {
        Label exited = new Label();
        int info = program.newSlots((int) (siginfo_t.sizeof() + 7) / 8);
        int code = info + (int) siginfo_t.si_code$offset() / 8;
        int status = info + (int) siginfo_t.si_status$offset() / 8;
        if (pid1 >= 0) {
            program.add(ProcessCalls.waitid(Linux.P_PID(), 0, null, EnumSet.of(WaitOption.EXITED, WaitOption.NOWAIT)))
                    .ignoringFailure().fromSlot(1, command, "<command pid>").slotAddress(2, info, "&info")
                    .then("  (the command has ended; unreaped, it keeps PID 1's pid from reuse)");
            program.add(ProcessCalls.kill(0, Linux.SIGKILL())).ignoringFailure().fromSlot(0, pid1, "<pid 1>")
                    .then("  (ends what is left in the namespace)");
        }
        program.add(ProcessCalls.waitid(Linux.P_PID(), 0, null, EnumSet.of(WaitOption.EXITED))).ignoringFailure()
                .fromSlot(1, command, "<command pid>").slotAddress(2, info, "&info");
        unblockAll(program).ignoringFailure()
                .jumpIf(code, Linux.CLD_EXITED(), true, exited, "info.si_code is CLD_EXITED");
        int self = program.newRegister();
        program.add(ProcessCalls.getpid()).saveIn(self);
        program.add(ProcessCalls.kill(0, 0)).ignoringFailure().fromSlot(0, self, "<self>")
                .fromSlot(1, status, "info.si_status").then("  (die as the command died)");
        program.add(ProcessCalls.exitGroup(0)).fromSlot(0, status, 128, "128 + info.si_status")
                .then("  (the signal did not end this process)");
        program.bind(exited);
        program.add(ProcessCalls.exitGroup(0)).fromSlot(0, status, "info.si_status");
    }

    /**
     * A plain fork (exit signal SIGCHLD) whose parent side continues at {@code parent};
     * returns the fork's step.
     */
    private static int fork(ChildProgram program, String result, int slot, Label parent) {
        int step = program.size();
        program.add(ProcessCalls.clone3(program.memory(), Linux.SIGCHLD())).saveIn(slot).then(" = " + result)
                .jumpIf(slot, 0, false, parent, "in the parent");
        return step;
    }

    private static void dieWithSupervisor(ChildProgram program) {
        program.add(PrctlCalls.setPdeathsig(Linux.SIGKILL())).then("  (dies with the supervisor)");
    }

    private static ChildProgram unblockAll(ChildProgram program) {
        return program.add(SignalCalls.rtSigprocmask(program.memory(), Linux.SIG_SETMASK(), 0));
    }

    private static void dropDescriptors(ChildProgram program) {
        program.add(FileCalls.closeRange(0, -1, Set.of())).ignoringFailure();
    }

    private static void name(ChildProgram program, String name) {
        program.add(PrctlCalls.setName(program.memory(), name)).ignoringFailure();
    }
}
