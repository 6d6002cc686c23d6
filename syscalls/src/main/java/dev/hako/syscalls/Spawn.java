package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.posix_spawn_file_actions_t;
import dev.hako.bindings.posix_spawnattr_t;
import dev.hako.syscalls.calls.ProcessCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Starts a program with glibc's {@code posix_spawn}: the child is made with
 * {@code CLONE_VM | CLONE_VFORK} and runs only libc code until its execve, so nothing of
 * this JVM runs in it. That is what a JVM that cannot safely fork itself needs (one that
 * runs C1 only, whose compiled loops may meet a safepoint poll armed at the fork), and it
 * costs no copy of the JVM's page tables however big its heap.
 *
 * <p>The child gets: the given environment; the given descriptors at the given numbers,
 * {@code /dev/null} at the numbers asked for, every other descriptor from the first number
 * above all of them closed; an empty signal mask and every signal at its default action.
 *
 * @see <a href="https://man7.org/linux/man-pages/man3/posix_spawn.3.html">posix_spawn(3)</a>
 */
public final class Spawn {

    /** Signals whose disposition the child resets (the kernel's 64; SIGKILL and SIGSTOP are skipped). */
    private static final int SIGNALS = 64;
    /** sigset_t as glibc declares it: 1024 bits. */
    private static final long SIGSET_SIZE = 128;

    private Spawn() {
    }

    /**
     * Spawns {@code argv.get(0)} (an absolute path: no PATH search) and returns its pid.
     *
     * @param argv    the program's path, then its arguments
     * @param env     its whole environment, each entry "NAME=value"
     * @param placed  descriptors the child gets, by the number it gets them at
     * @param devNull numbers at which the child gets {@code /dev/null}, opened read-write
     * @return the child's pid (a child of the calling thread, to be reaped by the caller)
     * @throws IllegalArgumentException if the path is relative or a string contains a NUL byte
     * @throws SyscallException with posix_spawn's error (errno of the child's execve, for a
     *                          missing or unrunnable program)
     */
    public static int spawn(List<String> argv, List<String> env, Map<Integer, Fd> placed, Set<Integer> devNull)
            throws SyscallException {
        if (argv.isEmpty() || !argv.getFirst().startsWith("/")) {
            throw new IllegalArgumentException("argv must start with an absolute path: " + argv);
        }
        int closeFrom = 0;
        for (int number : placed.keySet()) {
            closeFrom = Math.max(closeFrom, number + 1);
        }
        for (int number : devNull) {
            closeFrom = Math.max(closeFrom, number + 1);
        }
        closeFrom = Math.max(closeFrom, 3);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(posix_spawn_file_actions_t.layout());
            MemorySegment attributes = arena.allocate(posix_spawnattr_t.layout());
            check("posix_spawn_file_actions_init", Linux.posix_spawn_file_actions_init(actions));
            try {
                check("posix_spawnattr_init", Linux.posix_spawnattr_init(attributes));
                try {
                    // Every source goes first to a number above all targets and sources, then
                    // to its target: no dup2 can overwrite a source still to be placed. The
                    // spare copies are closed with the rest.
                    int spare = closeFrom;
                    for (Fd source : placed.values()) {
                        spare = Math.max(spare, source.value() + 1);
                    }
                    TreeMap<Integer, Integer> spares = new TreeMap<>();
                    for (var entry : placed.entrySet()) {
                        check("posix_spawn_file_actions_adddup2",
                                Linux.posix_spawn_file_actions_adddup2(actions, entry.getValue().value(), spare));
                        spares.put(entry.getKey(), spare++);
                    }
                    for (var entry : spares.entrySet()) {
                        check("posix_spawn_file_actions_adddup2",
                                Linux.posix_spawn_file_actions_adddup2(actions, entry.getValue(), entry.getKey()));
                    }
                    MemorySegment devNullPath = arena.allocateFrom("/dev/null");
                    for (int number : devNull) {
                        check("posix_spawn_file_actions_addopen", Linux.posix_spawn_file_actions_addopen(actions,
                                number, devNullPath, Linux.O_RDWR(), 0));
                    }
                    check("posix_spawn_file_actions_addclosefrom_np",
                            Linux.posix_spawn_file_actions_addclosefrom_np(actions, closeFrom));
                    MemorySegment none = arena.allocate(SIGSET_SIZE);
                    MemorySegment all = arena.allocate(SIGSET_SIZE);
                    all.asSlice(0, SIGNALS / 8).fill((byte) 0xff);
                    check("posix_spawnattr_setsigmask", Linux.posix_spawnattr_setsigmask(attributes, none));
                    check("posix_spawnattr_setsigdefault", Linux.posix_spawnattr_setsigdefault(attributes, all));
                    check("posix_spawnattr_setflags", Linux.posix_spawnattr_setflags(attributes,
                            Linux.POSIX_SPAWN_SETSIGMASK() | Linux.POSIX_SPAWN_SETSIGDEF()));
                    MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
                    int error = Linux.posix_spawn(pid, arena.allocateFrom(argv.getFirst()), actions, attributes,
                            MemorySegment.ofAddress(ProcessCalls.stringArray(arena, argv, "argument")),
                            MemorySegment.ofAddress(ProcessCalls.stringArray(arena, env, "environment variable")));
                    if (error != 0) {
                        throw new SyscallException("posix_spawn", argv.getFirst(), error);
                    }
                    return pid.get(ValueLayout.JAVA_INT, 0);
                } finally {
                    Linux.posix_spawnattr_destroy(attributes);
                }
            } finally {
                Linux.posix_spawn_file_actions_destroy(actions);
            }
        }
    }

    /** posix_spawn's helpers return an error number instead of setting errno. */
    private static void check(String function, int error) throws SyscallException {
        if (error != 0) {
            throw new SyscallException(function, "", error);
        }
    }
}
