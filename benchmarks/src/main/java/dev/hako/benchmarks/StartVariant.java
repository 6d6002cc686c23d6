package dev.hako.benchmarks;

import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Hierarchy;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.Launchers;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The B2 variants: which namespaces a start creates, and whether it starts in a cgroup.
 * The same names are used by {@code benchmarks/run} for the C floor and for unshare(1).
 */
public enum StartVariant {
    /** No new namespace: the cost of the launch engine alone. */
    NONE("none"),
    /** pid, mount, ipc and uts namespaces. */
    PID_MNT_IPC_UTS("pid,mnt,ipc,uts", NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.UTS),
    /** ... and a network namespace. */
    PLUS_NET("pid,mnt,ipc,uts,net", NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.UTS,
            NamespaceType.NET),
    /** ... and a user namespace, root mapped to the caller. */
    PLUS_USER("pid,mnt,ipc,uts,net,user", NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC,
            NamespaceType.UTS, NamespaceType.NET, NamespaceType.USER),
    /** pid, mount, ipc and uts, started inside a cgroup v2 directory with CLONE_INTO_CGROUP. */
    PLUS_CGROUP("pid,mnt,ipc,uts+cgroup", NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC,
            NamespaceType.UTS),
    /**
     * pid, mount, ipc and uts with {@link ContainerBuilder#init(boolean) init(true)}: a
     * supervisor outside the new pid namespace, a reaper as its PID 1, the command as PID 2.
     */
    PLUS_INIT("pid,mnt,ipc,uts+init", NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC,
            NamespaceType.UTS);

    /**
     * The suffix of the variants that run an init process. Such a variant creates the same
     * namespaces as its label without the suffix, so its ratios are taken against that
     * variant's baselines (the C floor and unshare(1) run no init).
     */
    public static final String INIT_SUFFIX = "+init";

    /** The cgroup (relative to the unified mount) that {@link #PLUS_CGROUP} starts in. */
    public static final String CGROUP_PATH = "/hako-bench/b2";

    private final String label;
    private final NamespaceType[] namespaces;

    StartVariant(String label, NamespaceType... namespaces) {
        this.label = label;
        this.namespaces = namespaces;
    }

    /** {@return the label used in parameters, file names and tables} */
    public String label() {
        return label;
    }

    /** {@return the variant with this label} */
    public static StartVariant of(String label) {
        for (StartVariant v : values()) {
            if (v.label.equals(label)) {
                return v;
            }
        }
        throw new IllegalArgumentException("no start variant " + label);
    }

    /**
     * The unified (cgroup v2) directory {@link #PLUS_CGROUP} uses, created if missing. On a
     * hybrid layout the unified mount has no controllers, but CLONE_INTO_CGROUP works there.
     */
    public static Path cgroupDirectory() throws IOException {
        Hierarchy unified = CgroupLayout.detect().unified().orElseThrow(() -> new IllegalStateException(
                "no cgroup v2 mount here, so there is nothing to CLONE_INTO_CGROUP"));
        return Files.createDirectories(unified.directory(CGROUP_PATH));
    }

    /**
     * {@return a builder that starts {@code command} this way, forked by this JVM itself
     * ({@link Launchers#inProcess()}), standard streams discarded} The launcher is chosen
     * here, not left to the default, so that a row measures the same engine whichever
     * launcher Hako defaults to.
     */
    public ContainerBuilder builder(String... command) throws IOException {
        return builder(Launchers.inProcess(), command);
    }

    /** {@return a builder that starts {@code command} this way through {@code launcher}, standard streams discarded} */
    public ContainerBuilder builder(Launchers launcher, String... command) throws IOException {
        ContainerBuilder b = new ContainerBuilder(command)
                .launcher(launcher)
                .redirectInput(Redirect.DISCARD)
                .redirectOutput(Redirect.DISCARD)
                .redirectError(Redirect.INHERIT);
        b.environment().clear();
        if (namespaces.length > 0) {
            b.namespaces(namespaces);
        }
        if (this == PLUS_USER) {
            b.mapRootToCurrentUser();
        }
        if (this == PLUS_CGROUP) {
            b.cgroup(CgroupPlacement.v2(cgroupDirectory()));
        }
        if (this == PLUS_INIT) {
            b.init(true);
        }
        return b;
    }

    /**
     * {@return the label whose baselines a start of {@code label} is compared with: the
     * same namespaces without the init process, which neither the C floor nor unshare(1)
     * runs}
     */
    public static String baselineLabel(String label) {
        return label.endsWith(INIT_SUFFIX) ? label.substring(0, label.length() - INIT_SUFFIX.length()) : label;
    }

    /** {@return every label} */
    public static List<String> labels() {
        List<String> out = new ArrayList<>();
        for (StartVariant v : values()) {
            out.add(v.label);
        }
        return out;
    }
}
