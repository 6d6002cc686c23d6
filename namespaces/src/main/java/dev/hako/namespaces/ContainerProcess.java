package dev.hako.namespaces;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.launch.FdStreams;
import dev.hako.namespaces.launch.LaunchSpec;
import dev.hako.namespaces.launch.Launcher;
import dev.hako.namespaces.launch.Orphans;
import dev.hako.namespaces.launch.Reaper;
import dev.hako.syscalls.ChildStatus;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.Signal;
import dev.hako.syscalls.SyscallException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process started by {@link ContainerBuilder}, managed through a pidfd.
 *
 * <p>Signals go through {@code pidfd_send_signal}, so they reach this process or nobody,
 * never a later process that reused its pid. One shared thread watches every pidfd with
 * epoll, reaps the process when it exits and completes {@link #onExit()}; the pidfd is
 * closed then, and signalling a reaped process does nothing and returns false. Callers who
 * need a pidfd of their own get a duplicate from {@link #pidfd()}.
 *
 * <p>{@link #exitValue()} follows the shell: the exit code, or 128 plus the signal number
 * for a process killed by a signal; {@link #exitStatus()} tells which it was.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/pidfd_open.2.html">pidfd_open(2)</a>
 */
public final class ContainerProcess extends Process implements AutoCloseable {

    private final int pid;
    private final LaunchSpec spec;
    private final Object pidfdLock = new Object();
    private final Fd pidfd;
    /** A supervised start's PID 1, this JVM's child as well; -1 and null without one. */
    private final int initPid;
    private final Fd initPidfd;
    /** The supervisor's status, kept until PID 1 has been reaped too. */
    private volatile ChildStatus ended;
    /** Why watching one of them failed (both were then killed and reaped), or null. */
    private volatile Throwable failed;
    private final AtomicInteger running;
    private final CompletableFuture<ChildStatus> status = new CompletableFuture<>();
    private final CompletableFuture<Process> exit;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final ProcessHandle handle;

    ContainerProcess(int pid, Fd pidfd, Launcher.Pid1 init, LaunchSpec spec, Fd[] parentEnds) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.initPidfd = init == null ? null : init.pidfd();
        this.initPid = init == null ? -1 : init.pid();
        this.running = new AtomicInteger(init == null ? 1 : 2);
        this.spec = spec;
        this.stdin = parentEnds[0] == null ? OutputStream.nullOutputStream() : new FdStreams.Output(parentEnds[0]);
        this.stdout = parentEnds[1] == null ? InputStream.nullInputStream() : new FdStreams.Input(parentEnds[1]);
        this.stderr = parentEnds[2] == null ? InputStream.nullInputStream() : new FdStreams.Input(parentEnds[2]);
        this.handle = ProcessHandle.of(pid).orElse(null);
        this.exit = status.thenApply(ignored -> this);
        if (initPidfd != null) {
            watchInit(spec);
        }
        Reaper.INSTANCE.watch(new Reaper.Watch(pid, pidfd, spec.reap()) {
            @Override
            public void exited(ChildStatus childStatus) {
                synchronized (pidfdLock) {
                    pidfd.close();
                }
                ended = childStatus;
                if (initPidfd != null && running.get() == 2) {
                    Orphans.reapCommandAdoptedFrom(initPid);
                }
                oneEnded();
            }

            @Override
            public void watchFailed(Throwable failure) {
                synchronized (pidfdLock) {
                    // Through PID 1 if there is one (see signal()): the supervisor then ends
                    // by itself once it has reaped the command.
                    if (initPidfd != null && initPidfd.isOpen() && sendQuietly(initPidfd, Linux.SIGKILL())) {
                        Launcher.reap(pidfd);
                    } else {
                        Launcher.killAndReap(pidfd);
                    }
                }
                failed = failure;
                oneEnded();
            }
        });
    }

    /** Watches a supervised start's PID 1, which the JVM reaps too. */
    private void watchInit(LaunchSpec spec) {
        try {
            Reaper.INSTANCE.watch(new Reaper.Watch(initPid, initPidfd, spec.reap()) {
                @Override
                public void exited(ChildStatus childStatus) {
                    synchronized (pidfdLock) {
                        initPidfd.close();
                    }
                    oneEnded();
                }

                @Override
                public void watchFailed(Throwable failure) {
                    synchronized (pidfdLock) {
                        Launcher.killAndReap(initPidfd);
                    }
                    failed = failure;
                    oneEnded();
                }
            });
        } catch (IllegalStateException e) {
            // Not started after all: the supervisor goes too, with the PID 1 it was watching.
            synchronized (pidfdLock) {
                Launcher.killAndReap(pidfd);
            }
            throw e;
        }
    }

    /**
     * Called by the reaper thread as each watched process is reaped (or killed and reaped
     * after watching it failed): the process has ended once the supervisor and its PID 1
     * have both, so that no process of the container is left when waitFor() returns. (A
     * PID 1 is reaped only after the last process of its namespace.)
     */
    private void oneEnded() {
        if (running.decrementAndGet() == 0) {
            if (failed != null) {
                status.completeExceptionally(failed);
            } else {
                status.complete(ended);
            }
        }
    }

    /** The descriptor the reaper watches and closes (tests check it is closed). */
    Fd pidfdForReaper() {
        return pidfd;
    }

    /**
     * The pid of the container's PID 1 in the JVM's pid namespace, when it is the reaper
     * that {@link ContainerBuilder#init(boolean) init(true)} puts there (with a new pid
     * namespace); empty otherwise. That PID 1 is this JVM's child, like the supervisor
     * ({@link #pid()}), and is reaped with it: {@link #waitFor()} returns once both are.
     *
     * @see <a href="https://man7.org/linux/man-pages/man7/pid_namespaces.7.html">pid_namespaces(7)</a>
     */
    public OptionalLong initPid() {
        return initPid < 0 ? OptionalLong.empty() : OptionalLong.of(initPid);
    }

    /**
     * The process id, in the JVM's pid namespace. For a supervised start (see
     * {@link ContainerBuilder#init(boolean)}) it is the supervisor's, which signals and the
     * exit status pass through; the command runs as its child. With a joined pid namespace
     * (see {@link ContainerBuilder#join}) it is the command's own.
     */
    @Override
    public long pid() {
        return pid;
    }

    /**
     * A new pidfd for the process, owned by the caller, who must close it (try-with-resources).
     *
     * <p>It is a duplicate of the descriptor the reaper watches, not that descriptor: the
     * reaper closes its own as soon as the process is reaped, at a moment the caller cannot
     * see, and the number could then be reused by any file this JVM opens next. The copy
     * stays open and keeps referring to this process until the caller closes it; once the
     * process has been reaped, signals through it fail with ESRCH and reach nobody.
     *
     * @return a close-on-exec pidfd that the caller closes
     * @throws IllegalStateException if the process has already been reaped (its pidfd is closed)
     * @throws SyscallException if the duplicate cannot be made (EMFILE)
     * @see <a href="https://man7.org/linux/man-pages/man2/pidfd_open.2.html">pidfd_open(2)</a>
     */
    public Fd pidfd() throws SyscallException {
        synchronized (pidfdLock) {
            if (!pidfd.isOpen()) {
                throw new IllegalStateException("process " + pid + " has exited and been reaped; its pidfd is closed");
            }
            return FileSyscalls.dupCloexec(pidfd, 3);
        }
    }

    /** The spec this process was started with. */
    LaunchSpec spec() {
        return spec;
    }

    /** The program and arguments it was started with (the program as execve got it). */
    public List<String> command() {
        return spec.command();
    }

    /** The control group it was started in, or null if none was chosen. */
    public CgroupPlacement cgroup() {
        return spec.cgroup();
    }

    @Override
    public OutputStream getOutputStream() {
        return stdin;
    }

    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return status.get().shellStatus();
        } catch (ExecutionException e) {
            throw new IllegalStateException("watching the process failed", e.getCause());
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            status.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("watching the process failed", e.getCause());
        }
    }

    @Override
    public int exitValue() {
        ChildStatus done = status.getNow(null);
        if (done == null) {
            throw new IllegalThreadStateException("process " + pid + " has not exited");
        }
        return done.shellStatus();
    }

    /** How the process ended (exit code or signal), or empty while it runs. */
    public Optional<ChildStatus> exitStatus() {
        return Optional.ofNullable(status.getNow(null));
    }

    /** The signal that killed the process, or empty if it exited normally or still runs. */
    public Optional<Signal> exitSignal() {
        return exitStatus().filter(s -> s.kind() != ChildStatus.Kind.EXITED).flatMap(s -> Signal.of(s.status()));
    }

    @Override
    public boolean isAlive() {
        return !status.isDone();
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit;
    }

    /** Completes with how the process ended once it has been reaped. */
    public CompletableFuture<ChildStatus> onExitStatus() {
        return status.copy();
    }

    /**
     * Sends a signal through the pidfd.
     *
     * <p>With a PID 1 of {@link ContainerBuilder#init(boolean) init(true)}, SIGKILL goes to
     * that PID 1 instead, which takes every process of the namespace with it; the supervisor
     * then reaps the command and ends as it did, killed by SIGKILL. Killing the supervisor
     * itself would orphan the command, whose zombie then keeps PID 1 from ending until
     * whoever adopts it (init, or a subreaper) reaps it.
     *
     * @return true if delivered, false if the process had already been reaped
     * @throws SyscallException if the kernel refused (EPERM, EINVAL for a bad signal)
     * @see <a href="https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html">pidfd_send_signal(2)</a>
     */
    public boolean signal(int signal) throws SyscallException {
        synchronized (pidfdLock) {
            if (signal == Linux.SIGKILL() && initPidfd != null && initPidfd.isOpen() && send(initPidfd, signal)) {
                return true;
            }
            return pidfd.isOpen() && send(pidfd, signal);
        }
    }

    /** Sends through {@code target}: false if it has exited or the kernel refused. */
    private static boolean sendQuietly(Fd target, int signal) {
        try {
            return send(target, signal);
        } catch (SyscallException e) {
            return false;
        }
    }

    /** Sends through {@code target}: false if it has exited (not yet reaped). */
    private static boolean send(Fd target, int signal) throws SyscallException {
        try {
            ProcessSyscalls.pidfdSendSignal(target, signal);
            return true;
        } catch (SyscallException e) {
            if (e.errno() == Linux.ESRCH()) {
                return false;
            }
            throw e;
        }
    }

    /** Sends SIGTERM. */
    @Override
    public void destroy() {
        sendQuietly(Signal.SIGTERM);
    }

    /** Sends SIGKILL: with init(true), to the container's PID 1 (see {@link #signal}). */
    @Override
    public ContainerProcess destroyForcibly() {
        sendQuietly(Signal.SIGKILL);
        return this;
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public ProcessHandle toHandle() {
        if (handle == null) {
            throw new UnsupportedOperationException("process " + pid + " exited before its handle was taken");
        }
        return handle;
    }

    /**
     * Kills the process if it still runs, waits until it is reaped, and closes its streams:
     * nothing of it is left behind.
     */
    @Override
    public void close() {
        if (isAlive()) {
            destroyForcibly();
        }
        status.join();
        try {
            stdin.close();
            stdout.close();
            stderr.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void sendQuietly(Signal signal) {
        try {
            signal(signal.number());
        } catch (SyscallException e) {
            throw new IllegalStateException("could not send " + signal + " to pid " + pid + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        ChildStatus done = status.getNow(null);
        return "ContainerProcess[pid=" + pid + ", " + (done == null ? "running" : done.toString()) + "]";
    }
}
