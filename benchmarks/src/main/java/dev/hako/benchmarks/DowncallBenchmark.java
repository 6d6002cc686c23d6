package dev.hako.benchmarks;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.ProcessSyscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * B1, downcall cost: {@code getpid} through glibc's {@code syscall(2)}, called from Java
 * through FFM with different linker options, against the same call in a C loop.
 *
 * <p>The C loop ({@code benchmarks/c/getpid_loop.c}) is itself called once per invocation
 * through FFM, and that invocation counts as {@value #C_CALLS} operations, so the C figure
 * is measured in the same JVM and process as the Java ones, and the one downcall into the
 * loop is spread over {@value #C_CALLS} calls.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DowncallBenchmark {

    /** Made by JMH, once per fork and state scope. */
    public DowncallBenchmark() {
    }

    /** Calls of getpid per invocation of the C loop. */
    public static final int C_CALLS = 100_000;

    private static final long GETPID = Linux.SYS_getpid();
    private static final MethodHandle DEFAULT = Linux.syscall$handle();
    private static final MethodHandle CRITICAL = Linux.syscall$handle(Linker.Option.critical(false));
    private static final MethodHandle ERRNO = Linux.syscall$handle(Linker.Option.captureCallState("errno"));
    private static final MethodHandle C_LOOP = Linker.nativeLinker().downcallHandle(
            SymbolLookup.libraryLookup(NativeBuild.library(NativeBuild.GETPID_LOOP), Arena.global())
                    .findOrThrow("hako_getpid_loop"),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    private final MemorySegment errnoState = Arena.ofAuto().allocate(Linker.Option.captureStateLayout());

    /** FFM with no extra option: a thread-state transition on each call. */
    @Benchmark
    public long ffmDefault() throws Throwable {
        return (long) DEFAULT.invokeExact(GETPID, 0L, 0L, 0L, 0L, 0L, 0L);
    }

    /** FFM with {@code critical(false)}: no thread-state transition. */
    @Benchmark
    public long ffmCritical() throws Throwable {
        return (long) CRITICAL.invokeExact(GETPID, 0L, 0L, 0L, 0L, 0L, 0L);
    }

    /** FFM with {@code captureCallState("errno")}, not critical. */
    @Benchmark
    public long ffmErrno() throws Throwable {
        return (long) ERRNO.invokeExact(errnoState, GETPID, 0L, 0L, 0L, 0L, 0L, 0L);
    }

    /** Hako's own path: critical and errno capture into a per-thread segment ({@code ProcessSyscalls.getpid}). */
    @Benchmark
    public int hakoGetpid() {
        return ProcessSyscalls.getpid();
    }

    /** The baseline: the same syscall in a C loop, per call. */
    @Benchmark
    @OperationsPerInvocation(C_CALLS)
    public long cLoop() throws Throwable {
        return (long) C_LOOP.invokeExact((long) C_CALLS);
    }
}
