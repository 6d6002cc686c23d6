package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.CgroupVersion;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.Hierarchy;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hako run --io-read-bps} and {@code --io-write-bps} on a real block device: a loop
 * device over a sparse file, made for each test and detached after it. The limit must reach
 * the kernel (the group's throttle file, read while the payload runs) and hold the payload's
 * direct I/O to the rate (a lower bound on the time only: a loaded machine is slower, never faster).
 */
@Privileged(value = {Requirement.ROOT, Requirement.LOOP_DEVICES}, programs = "losetup")
@Timeout(60)
class RunIoLimitTest {

    private static final long MIB = 1 << 20;
    /** 3 MiB in 64 KiB blocks. */
    private static final String BLOCKS = "bs=64K count=48";
    /** 3 MiB at 1 MiB/s take about 3 s; 2 s leaves room for a first burst the throttle lets through. */
    private static final long AT_LEAST_MILLIS = 2000;

    private final String name = "test-io-" + ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private Path loop;

    @BeforeEach
    void attachLoopDevice() throws Exception {
        Path image = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(8 * MIB); // sparse: reads return zeros, nothing is written to the disk
        }
        loop = Path.of(run("losetup", "--find", "--show", image.toString()).strip());
    }

    @AfterEach
    void detachAndCheckNothingIsLeft() throws Exception {
        try {
            if (loop != null) {
                run("losetup", "-d", loop.toString());
                String attached = run("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE");
                assertThat(attached).as("loop devices still attached").doesNotContain(dir.toString());
            }
        } finally {
            // @TempDir deletes the image afterwards; the group must be gone already.
            for (Hierarchy h : CgroupLayout.detect().groupHierarchies()) {
                assertThat(Files.exists(h.directory(Groups.runPath(name)))).as(h.toString()).isFalse();
            }
        }
    }

    @Test
    void readBandwidthIsThrottled() throws Exception {
        String reader = "if=" + loop + " of=/dev/null " + BLOCKS + " iflag=direct";
        Throttled read = runThrottled("--io-read-bps", reader);
        assertThat(read.limitFile()).as("the group's read limit while the payload ran").isEqualTo(expectedLimit(true));
        assertThat(read.millis()).as("3 MiB read at 1 MiB/s, in ms").isGreaterThanOrEqualTo(AT_LEAST_MILLIS);

        // For the log only: how fast the same read is without the limit (not asserted: noise).
        Cli.Result free = Cli.run("run", "--name", name, "--device", loop.toString(), "--", "/bin/sh", "-c", timed(reader));
        assertThat(free.status()).as(free.err()).isZero();
        System.out.printf("3 MiB direct read of %s: %d ms at --io-read-bps 1M, %s ms without a limit%n",
                loop, read.millis(), free.out().strip());
    }

    @Test
    void writeBandwidthIsThrottled() throws Exception {
        String writer = "if=/dev/zero of=" + loop + " " + BLOCKS + " oflag=direct";
        Throttled write = runThrottled("--io-write-bps", writer);
        assertThat(write.limitFile()).as("the group's write limit while the payload ran")
                .isEqualTo(expectedLimit(false));
        assertThat(write.millis()).as("3 MiB written at 1 MiB/s, in ms").isGreaterThanOrEqualTo(AT_LEAST_MILLIS);
        System.out.printf("3 MiB direct write to %s: %d ms at --io-write-bps 1M%n", loop, write.millis());
    }

    @Test
    void badRateOfARealDeviceIsAUsageError() {
        Cli.Result result = Cli.run("run", "--name", name, "--io-read-bps", loop + "=abc", "--", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst()).hasValue("hako run: invalid value for option '--io-read-bps'"
                + " (DEV=RATE): 'abc' is not a size; write bytes or a number with K, M, G or T (binary units),"
                + " e.g. 256M, or max");
    }

    /** What one throttled run showed: the group's limit file while it ran, and the payload's own timing. */
    private record Throttled(String limitFile, long millis) {
    }

    /**
     * Runs {@code dd ARGS} under {@code FLAG DEVICE=1M} in a background thread and, while it
     * runs, reads the group's throttle file from the host (the group is removed at exit).
     */
    private Throttled runThrottled(String flag, String ddArgs) throws Exception {
        boolean read = flag.equals("--io-read-bps");
        Path file = limitFile(read);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Cli.Result> running = executor.submit(() -> Cli.run("run", "--name", name, "--device", loop.toString(), flag,
                    loop + "=1M",
                    "--", "/bin/sh", "-c", timed(ddArgs)));
            String seen = "";
            while (!running.isDone() && seen.isEmpty()) {
                seen = readIfPresent(file);
                Thread.sleep(10);
            }
            Cli.Result result = running.get(30, TimeUnit.SECONDS);
            assertThat(result.status()).as(result.err()).isZero();
            return new Throttled(seen.strip(), Long.parseLong(result.out().strip()));
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(20, TimeUnit.SECONDS)).as("hako run ended").isTrue();
        }
    }

    /** A shell line running dd quietly and printing how long it took, in ms, measured inside the payload. */
    private static String timed(String ddArgs) {
        return "set -e; s=$(date +%s%N); dd " + ddArgs + " 2>/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000))";
    }

    /** The run's throttle file in whichever hierarchy holds the io controller (v1 blkio or v2 io). */
    private Path limitFile(boolean read) throws IOException {
        CgroupLayout layout = CgroupLayout.detect();
        Hierarchy h = layout.hierarchyFor(Controller.IO).orElseThrow(
                () -> new AssertionError("no io (blkio) controller in " + layout));
        String file = h.version() == CgroupVersion.V2 ? "io.max"
                : read ? "blkio.throttle.read_bps_device" : "blkio.throttle.write_bps_device";
        return h.directory(Groups.runPath(name)).resolve(file);
    }

    /** The kernel's rendering of a 1 MiB/s limit on the loop device, its number read from sysfs. */
    private String expectedLimit(boolean read) throws IOException {
        String device = Files.readString(Path.of("/sys/class/block", loop.getFileName().toString(), "dev")).strip();
        boolean v2 = CgroupLayout.detect().versionOf(Controller.IO).orElseThrow() == CgroupVersion.V2;
        if (!v2) {
            return device + " " + MIB;
        }
        return device + (read ? " rbps=" + MIB + " wbps=max" : " rbps=max wbps=" + MIB) + " riops=max wiops=max";
    }

    private static String readIfPresent(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return "";
        }
    }

    /** Runs a host program to completion (bounded), returning its output; fails on a non-zero status. */
    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            // The output is a line or two: it fits the pipe, so waiting first cannot block the program.
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(String.join(" ", command) + ": " + text).isZero();
            return text;
        } finally {
            process.destroyForcibly();
        }
    }
}
