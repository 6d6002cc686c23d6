package dev.hako.samples.cli;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.CgroupVersion;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.ControllerSpec;
import dev.hako.cgroupfs.Hierarchy;
import dev.hako.cgroupfs.Setting;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.MountSpec;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Signal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hako run}: a command in fresh pid, mount, uts, ipc, cgroup and network namespaces,
 * in its own control group under {@code /hako}, which is removed when the command ends.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        customSynopsis = "hako run [OPTIONS] -- CMD [ARGS...]",
        description = {"Runs a command in fresh namespaces (pid, mount, uts, ipc, cgroup, and net unless"
                + " --share-net) and its own cgroup under /hako, removed when it ends. The host's root is"
                + " read-only inside (or DIR with --rootfs DIR), with a fresh /proc and a private /tmp.",
                "Exits with the command's status (128+N when signal N killed it)."})
final class RunCommand implements Callable<Integer> {

    /** Grace period to empty and remove the group after the payload ended. */
    private static final Duration CLEANUP = Duration.ofSeconds(10);

    /** Size of the private /tmp: enough for scratch files, small enough to not eat the host's memory. */
    private static final Bytes DEFAULT_TMP = Bytes.mib(64);

    @Spec
    CommandSpec spec;

    @ParentCommand
    HakoCommand hako;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Hostname inside (new uts namespace).")
    String hostname;

    /** --rootfs (default: the host's root, read-only, as the description says) and --bind. */
    @Mixin
    RootOptions root;

    @Option(names = "--tmpfs", paramLabel = "DST[:SIZE]",
            description = "Mount an empty tmpfs (default size 64M) on DST (repeatable). A private /tmp is"
                    + " mounted unless DST is /tmp here or a --bind targets /tmp.")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = "--user-ns", description = "Also create a user namespace (unmapped ids appear as nobody).")
    boolean userNs;

    @Option(names = "--map-root", description = "Create a user namespace and map root in it to your user.")
    boolean mapRoot;

    @Option(names = {"--share-net", "--net"},
            description = "Keep the host's network (by default a new network namespace has only loopback).")
    boolean shareNet;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]",
            description = {"Set a variable (repeatable); NAME alone passes hako's own value, if it has one.",
                    "The command starts with PATH, HOME and TERM only: hako's environment may hold secrets."})
    List<String> env = new ArrayList<>();

    @Option(names = "--clear-env", description = "Start from an empty environment (PATH is kept).")
    boolean clearEnv;

    @Option(names = "--device", paramLabel = "/dev/NAME",
            description = "Give the command a host device node (bound into its private /dev and allowed by its"
                    + " cgroup device rules; repeatable).")
    List<Path> devices = new ArrayList<>();

    @Option(names = "--privileged", description = {"Turn off every default protection: keep all capabilities,"
            + " no seccomp filter, no no_new_privs, the host's /dev, unmasked /proc and /sys.",
            "A root command can then reach the host; use it only for trusted commands."})
    boolean privileged;

    @Option(names = "--security-opt", paramLabel = "OPT",
            description = {"seccomp=unconfined (no filter), seccomp=FILE (a profile in Docker's and the OCI spec's"
                    + " JSON format), no-new-privileges[=true|false] (repeatable).",
                    "By default the command runs under Hako's default seccomp profile with no_new_privs."})
    List<String> securityOpts = new ArrayList<>();

    @Option(names = "--cap-add", paramLabel = "CAP", split = ",",
            description = "Add a capability to the default set (e.g. NET_ADMIN, or ALL; repeatable).")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", paramLabel = "CAP", split = ",",
            description = "Drop a capability from the default set (e.g. NET_RAW, or ALL; repeatable).")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory of the command.")
    Path cwd;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Name of the run's group, /hako/NAME (default: run-<random>).")
    String name;

    @Option(names = "--init", description = {"Keep a reaper as PID 1 and run the command as PID 2: orphans are"
            + " reaped at once, and SIGTERM, SIGINT, SIGHUP (and more) reach the command even without a handler.",
            "The reaper and its supervisor count as two tasks against --pids."})
    boolean init;

    @Option(names = "--dry-run", description = "Print the plan (every syscall and file write) and run nothing.")
    boolean dryRun;

    @Mixin
    LimitOptions limits;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        CommandArgs.requireAfterSeparator(spec, command);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ContainerBuilder builder = builder();
        List<ControllerSpec> specs = limits.specs();
        String groupPath = Groups.runPath(name != null ? name : "run-" + HexFormat.of().toHexDigits(
                ThreadLocalRandom.current().nextInt()));
        CgroupLayout layout = CgroupLayout.detect();
        boolean wantGroup = limits.any() || Groups.canCreate(layout);
        if (dryRun) {
            if (wantGroup) {
                builder.cgroup(placement(layout, groupPath));
                out.println("# cgroup " + groupPath + " (created before the start, removed after the exit)");
                for (ControllerSpec s : specs) {
                    CgroupVersion version = layout.versionOf(s.controller()).orElse(CgroupVersion.V2);
                    for (Setting setting : s.render(version)) {
                        out.println("#   " + setting.file() + " = " + setting.value());
                    }
                }
            }
            out.print(builder.plan().describe());
            out.flush();
            return 0;
        }
        if (!wantGroup) {
            return start(builder, null, out, err);
        }
        Cgroup group = Cgroup.create(layout, groupPath, controllers(layout));
        // A Ctrl-C ends this JVM through its shutdown hooks; the group must go then too.
        Thread cleanup = new Thread(() -> deleteQuietly(group, err));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            group.apply(specs);
            builder.cgroup(CgroupPlacement.of(group));
            long oomBefore = Groups.oomKills(group).orElse(0L);
            int status = start(builder, group, out, err);
            Optional<Long> oomAfter = Groups.oomKills(group);
            if (oomAfter.isPresent() && oomAfter.get() > oomBefore) {
                err.println("hako: killed by the kernel's OOM killer: memory limit " + Groups.memoryLimit(group)
                        + " reached");
                err.flush();
            }
            return status;
        } finally {
            group.delete(CLEANUP, true);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs (or ran) already; delete is idempotent.
            }
        }
    }

    private int start(ContainerBuilder builder, Cgroup group, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        try (ContainerProcess process = builder.start()) {
            return Payload.await(process, hako.inheritStdio, out, err);
        }
    }

    /** The builder for the flags, without any cgroup placement. */
    ContainerBuilder builder() {
        ContainerBuilder builder = new ContainerBuilder(command);
        if (clearEnv) {
            String path = builder.environment().get("PATH");
            builder.environment().clear();
            if (path != null) {
                builder.environment().put("PATH", path);
            }
        }
        for (String assignment : env) {
            int eq = assignment.indexOf('=');
            if (eq == 0 || assignment.isEmpty()) {
                throw new ParameterException(spec.commandLine(),
                        "--env needs NAME=VALUE or NAME, not '" + assignment + "'");
            }
            if (eq < 0) {
                String value = System.getenv(assignment);
                if (value != null) {
                    builder.environment().put(assignment, value);
                }
            } else {
                builder.environment().put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
        }
        if (privileged) {
            builder.privileged();
        }
        SecurityOptions.apply(spec, builder, securityOpts);
        if (!capAdd.isEmpty() || !capDrop.isEmpty()) {
            builder.capabilities(SecurityOptions.capabilities(spec, capAdd, capDrop));
        }
        Set<NamespaceType> types = EnumSet.of(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.UTS,
                NamespaceType.IPC, NamespaceType.CGROUP);
        if (!shareNet) {
            types.add(NamespaceType.NET);
        }
        if (userNs) {
            types.add(NamespaceType.USER);
        }
        builder.namespaces(types.toArray(NamespaceType[]::new));
        builder.init(init);
        if (mapRoot || (!userNs && !SecurityOptions.hasSysAdmin())) {
            // Rootless, as podman and bwrap are: without CAP_SYS_ADMIN the namespaces can
            // only be made inside a user namespace, where root is mapped to the caller.
            builder.mapRootToCurrentUser();
        }
        builder.mounts(mounts());
        if (hostname != null) {
            builder.hostname(hostname);
        }
        if (cwd != null) {
            builder.directory(cwd);
        }
        // The payload must not outlive hako: SIGKILL when the thread that started it ends.
        builder.parentDeathSignal(Signal.SIGKILL.number());
        Payload.redirect(builder, hako.inheritStdio);
        return builder;
    }

    /**
     * The file system view: the host's tree read-only (or --rootfs), a fresh /proc for the
     * new pid namespace, a private /tmp, then the binds and tmpfs mounts in order given.
     */
    private MountSpec mounts() {
        MountSpec.Builder view = MountSpec.builder().proc();
        if (root.hasRootfs()) {
            root.addRootfs(view);
        } else {
            view.hostRootReadOnly();
        }
        for (Path device : devices) {
            try {
                view.device(device);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--device: " + e.getMessage());
            }
        }
        boolean ownTmp = root.addBinds(view);
        List<String[]> tmpfsMounts = new ArrayList<>();
        for (String mount : tmpfs) {
            int colon = mount.indexOf(':');
            String destination = colon < 0 ? mount : mount.substring(0, colon);
            if (!destination.startsWith("/")) {
                throw new ParameterException(spec.commandLine(),
                        "--tmpfs needs an absolute destination, not '" + mount + "'");
            }
            tmpfsMounts.add(new String[] {destination, colon < 0 ? "64M" : mount.substring(colon + 1)});
            ownTmp |= destination.equals("/tmp");
        }
        if (!ownTmp) {
            // Like /tmp on a fresh boot: empty, world-writable with the sticky bit.
            view.tmpfs("/tmp", DEFAULT_TMP.value(), 01777);
        }
        for (String[] mount : tmpfsMounts) {
            view.tmpfs(mount[0], Sizes.parse(mount[1]).value(), 01777);
        }
        return view.build();
    }

    /** Controllers the group gets: the limited ones plus what ps and top read, where available. */
    private Set<Controller> controllers(CgroupLayout layout) {
        Set<Controller> set = EnumSet.noneOf(Controller.class);
        set.addAll(limits.controllers());
        for (Controller c : List.of(Controller.MEMORY, Controller.CPU, Controller.PIDS)) {
            if (layout.versionOf(c).isPresent()) {
                set.add(c);
            }
        }
        if (layout.versionOf(Controller.DEVICES).isPresent() || layout.unified().isPresent()) {
            set.add(Controller.DEVICES); // the container's device rules (v1 controller, or a v2 program)
        }
        return set;
    }

    /** Where the group would be, for the dry run (which creates nothing). */
    private static CgroupPlacement placement(CgroupLayout layout, String path) {
        Map<Hierarchy, Path> directories = new LinkedHashMap<>();
        for (Hierarchy h : layout.groupHierarchies()) {
            directories.put(h, h.directory(path));
        }
        return CgroupPlacement.of(directories);
    }

    private static void deleteQuietly(Cgroup group, PrintWriter err) {
        try {
            group.delete(CLEANUP, true);
        } catch (IOException | RuntimeException e) {
            err.println("hako: could not remove " + group.path() + ": " + e.getMessage());
            err.flush();
        }
    }
}
