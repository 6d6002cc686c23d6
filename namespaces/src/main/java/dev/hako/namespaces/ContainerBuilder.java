package dev.hako.namespaces;

import dev.hako.syscalls.Fd;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Resource;
import dev.hako.syscalls.ResourceLimit;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds and starts container processes, in the manner of {@link ProcessBuilder}: set a
 * command, environment, directory and redirects, then choose namespaces, identity and
 * limits. {@link #start()} forks with clone3 and returns a pidfd-backed
 * {@link ContainerProcess}; {@link #plan()} shows every step first, without running any.
 *
 * <pre>{@code
 * ContainerProcess p = new ContainerBuilder("/bin/hostname")
 *         .namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.UTS, NamespaceType.IPC)
 *         .hostname("box")
 *         .redirectOutput(Redirect.PIPE)
 *         .start();
 * }</pre>
 *
 * <p>A builder is not thread-safe; each {@code start()} reads its state at that moment.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/clone3.2.html">clone3(2)</a>
 */
public final class ContainerBuilder {

    /** How long {@link #start()} waits for execve by default. */
    public static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(10);

    private List<String> command;
    private final Map<String, String> environment = new LinkedHashMap<>(System.getenv());
    private Path directory;
    private Redirect stdin = Redirect.INHERIT;
    private Redirect stdout = Redirect.INHERIT;
    private Redirect stderr = Redirect.INHERIT;
    private final Map<Integer, Fd> passedFds = new TreeMap<>();
    private final EnumSet<NamespaceType> newNamespaces = EnumSet.noneOf(NamespaceType.class);
    private final EnumMap<NamespaceType, NamespaceJoin> joins = new EnumMap<>(NamespaceType.class);
    private final List<IdMapping> uidMap = new ArrayList<>();
    private final List<IdMapping> gidMap = new ArrayList<>();
    private boolean setgroupsAllowed;
    private String hostname;
    private String domainname;
    private LaunchSpec.Identity identity;
    private Capabilities capabilities;
    private final EnumMap<Resource, ResourceLimit> resourceLimits = new EnumMap<>(Resource.class);
    private boolean noNewPrivileges;
    private int parentDeathSignal;
    private boolean newSession;
    private int umask = -1;
    private CgroupPlacement cgroup;
    private Duration execTimeout = DEFAULT_EXEC_TIMEOUT;
    private MountSpec mounts;
    private LaunchSpec.TimeOffsets timeOffsets;
    private boolean subordinateMaps;
    private boolean init;
    private SeccompProfile seccomp;
    /** Extra child steps before execve; only tests set it, to make a child fail or hang. */
    java.util.function.Consumer<ChildProgram> extraChildSteps = program -> { };
    /** Use mount(2) even where the new mount API exists; only tests set it, to cover that path. */
    boolean classicMounts;

    /** A builder for this program and arguments. */
    public ContainerBuilder(String... command) {
        command(command);
    }

    /** A builder for this program and arguments. */
    public ContainerBuilder(List<String> command) {
        command(command);
    }

    /** Replaces the program and arguments. */
    public ContainerBuilder command(String... command) {
        return command(Arrays.asList(command));
    }

    /** Replaces the program and arguments. */
    public ContainerBuilder command(List<String> command) {
        this.command = new ArrayList<>(Objects.requireNonNull(command, "command"));
        return this;
    }

    /** The program and arguments. */
    public List<String> command() {
        return List.copyOf(command);
    }

    /**
     * The environment of the new process: a copy of the JVM's to start with, edited in
     * place (clear it for an empty one).
     */
    public Map<String, String> environment() {
        return environment;
    }

    /** Sets the working directory (null keeps the JVM's). */
    public ContainerBuilder directory(Path directory) {
        this.directory = directory;
        return this;
    }

    /** Sets where standard input comes from. */
    public ContainerBuilder redirectInput(Redirect redirect) {
        this.stdin = Objects.requireNonNull(redirect, "redirect");
        return this;
    }

    /** Sets where standard output goes. */
    public ContainerBuilder redirectOutput(Redirect redirect) {
        this.stdout = Objects.requireNonNull(redirect, "redirect");
        return this;
    }

    /** Sets where standard error goes. */
    public ContainerBuilder redirectError(Redirect redirect) {
        this.stderr = Objects.requireNonNull(redirect, "redirect");
        return this;
    }

    /**
     * Passes an open descriptor to the child at number {@code target} (3 or more). The
     * caller keeps ownership of {@code source}. Every other descriptor of the JVM is closed
     * at exec.
     */
    public ContainerBuilder passFd(Fd source, int target) {
        Objects.requireNonNull(source, "source");
        if (passedFds.containsKey(target)) {
            throw new IllegalArgumentException("fd " + target + " is passed twice; each target number can hold one descriptor");
        }
        passedFds.put(target, source);
        return this;
    }

    /**
     * Adds namespaces to create (any combination of the eight kinds).
     *
     * <p>With {@link NamespaceType#PID} the payload is PID 1 of the new namespace, with what
     * that means: the kernel delivers to PID 1 only the signals it installed a handler for
     * (a SIGTERM or SIGINT from outside, or from {@link ContainerProcess#destroy()}, does
     * nothing to a program that does not handle it; SIGKILL from the parent namespace
     * always works), orphans of the namespace are re-parented to it and stay zombies unless
     * it waits for them, and when it exits the kernel kills every other process of the
     * namespace. Run a payload that does not expect this under an init of its own.
     *
     * @see <a href="https://man7.org/linux/man-pages/man7/pid_namespaces.7.html">pid_namespaces(7)</a>
     */
    public ContainerBuilder namespaces(NamespaceType... types) {
        newNamespaces.addAll(Arrays.asList(types));
        return this;
    }

    /** Joins an existing namespace of {@code type} instead of creating one. */
    public ContainerBuilder join(NamespaceType type, NamespaceJoin target) {
        joins.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(target, "target"));
        return this;
    }

    /** Adds a uid_map line for the new user namespace. */
    public ContainerBuilder uidMap(IdMapping mapping) {
        uidMap.add(Objects.requireNonNull(mapping, "mapping"));
        return this;
    }

    /** Adds a gid_map line for the new user namespace. */
    public ContainerBuilder gidMap(IdMapping mapping) {
        gidMap.add(Objects.requireNonNull(mapping, "mapping"));
        return this;
    }

    /**
     * Maps root inside a new user namespace to the JVM's own user and group, as
     * {@code unshare --map-root-user} does; setgroups stays denied.
     */
    public ContainerBuilder mapRootToCurrentUser() {
        newNamespaces.add(NamespaceType.USER);
        uidMap.add(IdMapping.single(0, CurrentIds.uid()));
        gidMap.add(IdMapping.single(0, CurrentIds.gid()));
        return this;
    }

    /**
     * Whether setgroups(2) stays allowed in a new user namespace. Denied by default, which
     * an unprivileged parent needs to write gid_map.
     */
    public ContainerBuilder setgroupsAllowed(boolean allowed) {
        this.setgroupsAllowed = allowed;
        return this;
    }

    /** Sets the hostname of a new UTS namespace (adds the namespace). */
    public ContainerBuilder hostname(String hostname) {
        this.hostname = hostname;
        newNamespaces.add(NamespaceType.UTS);
        return this;
    }

    /** Sets the NIS domain name of a new UTS namespace (adds the namespace). */
    public ContainerBuilder domainname(String domainname) {
        this.domainname = domainname;
        newNamespaces.add(NamespaceType.UTS);
        return this;
    }

    /** Runs as this user and group with these supplementary groups. */
    public ContainerBuilder user(long uid, long gid, long... groups) {
        this.identity = new LaunchSpec.Identity(uid, gid, Arrays.stream(groups).boxed().toList());
        return this;
    }

    /** Keeps only these capability sets (the rest are dropped before exec). */
    public ContainerBuilder capabilities(Capabilities capabilities) {
        this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
        return this;
    }

    /**
     * Sets a resource limit (setrlimit/prlimit) for the process.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prlimit.2.html">prlimit(2)</a>
     */
    public ContainerBuilder resourceLimit(Resource resource, ResourceLimit limit) {
        resourceLimits.put(Objects.requireNonNull(resource, "resource"), Objects.requireNonNull(limit, "limit"));
        return this;
    }

    /** Sets PR_SET_NO_NEW_PRIVS: exec can never grant privileges (setuid bits, file capabilities). */
    public ContainerBuilder noNewPrivileges(boolean value) {
        this.noNewPrivileges = value;
        return this;
    }

    /**
     * Signal for the child when the thread that started it ends (PR_SET_PDEATHSIG). It is
     * tied to that thread, not the JVM, so start from a thread that lives as long as the
     * child should.
     */
    public ContainerBuilder parentDeathSignal(int signal) {
        this.parentDeathSignal = signal;
        return this;
    }

    /** Whether the child calls setsid(2) to lead a new session without a controlling terminal. */
    public ContainerBuilder newSession(boolean value) {
        this.newSession = value;
        return this;
    }

    /** Sets the file mode creation mask (0 to 0777). */
    public ContainerBuilder umask(int mask) {
        if (mask < 0 || mask > 0777) {
            throw new IllegalArgumentException("umask " + Integer.toOctalString(mask) + " is outside 0..0777");
        }
        this.umask = mask;
        return this;
    }

    /** Starts the process in this control group. */
    public ContainerBuilder cgroup(CgroupPlacement placement) {
        this.cgroup = placement;
        return this;
    }

    /**
     * How long {@link #start()} waits for the child to reach execve; a child that takes
     * longer is killed and start() fails. Default {@link #DEFAULT_EXEC_TIMEOUT}.
     */
    public ContainerBuilder execTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("exec timeout must be positive: " + timeout);
        }
        this.execTimeout = timeout;
        return this;
    }

    /**
     * Gives the process a new mount namespace with this file system view (adds
     * {@link NamespaceType#MOUNT}). The mounts happen in the child, after namespaces are
     * joined and the hostname set, before the user and capabilities change.
     *
     * @see MountSpec
     */
    public ContainerBuilder mounts(MountSpec mounts) {
        this.mounts = Objects.requireNonNull(mounts, "mounts");
        newNamespaces.add(NamespaceType.MOUNT);
        return this;
    }


    /**
     * Gives the process a new time namespace whose CLOCK_MONOTONIC and CLOCK_BOOTTIME are
     * offset from the host's (adds {@link NamespaceType#TIME}). The child creates it with
     * unshare(CLONE_NEWTIME) and writes /proc/self/timens_offsets (offsets can be written
     * only before any process is in the namespace), then forks the command, which is born
     * in it, and supervises it as {@link #init(boolean)} describes (with a new pid
     * namespace, that includes the reaper as PID 1): only newer kernels would move the
     * child itself into the namespace at execve.
     *
     * @see <a href="https://man7.org/linux/man-pages/man7/time_namespaces.7.html">time_namespaces(7)</a>
     */
    public ContainerBuilder timeOffsets(Duration monotonic, Duration boottime) {
        this.timeOffsets = new LaunchSpec.TimeOffsets(monotonic, boottime);
        newNamespaces.add(NamespaceType.TIME);
        return this;
    }

    /**
     * Maps ranges of subordinate ids into a new user namespace (adds
     * {@link NamespaceType#USER}) through the setuid helpers newuidmap(1) and newgidmap(1)
     * (Debian package {@code uidmap}), which let an unprivileged user map the ranges
     * /etc/subuid and /etc/subgid grant it. {@link #spec()} checks every range (except the
     * user's own id) against those files and names the one that is not granted. The
     * helpers accept a range spread over adjoining lines, and so does the check. When the
     * gid map holds only the user's own gid, newgidmap writes "deny" to
     * /proc/PID/setgroups itself, whatever {@link #setgroupsAllowed(boolean)} asked, so
     * supplementary groups ({@link #user(long, long, long...)}) then need a subgid range.
     *
     * @see <a href="https://man7.org/linux/man-pages/man1/newuidmap.1.html">newuidmap(1)</a>
     */
    public ContainerBuilder rootlessMaps(List<IdMapping> uidMap, List<IdMapping> gidMap) {
        newNamespaces.add(NamespaceType.USER);
        this.uidMap.clear();
        this.uidMap.addAll(uidMap);
        this.gidMap.clear();
        this.gidMap.addAll(gidMap);
        this.subordinateMaps = true;
        return this;
    }

    /**
     * Runs the command as PID 2 of the new pid namespace under a reaper that is PID 1, as
     * {@code docker run --init} (tini) and bubblewrap (without {@code --as-pid-1}) do, so
     * that orphans do not pile up as zombies and signals reach a command that installed no
     * handler. Three processes take part:
     * <ul>
     *   <li>the process this builder starts ({@link ContainerProcess#pid()}), outside the
     *       new pid namespace but in all the others: it forwards SIGHUP, SIGINT, SIGQUIT,
     *       SIGUSR1, SIGUSR2, SIGTERM and SIGWINCH to the command (so
     *       {@link ContainerProcess#destroy()} works), waits for it, then dies by the same
     *       signal or exits with the same status, so {@link ContainerProcess#exitValue()} and
     *       {@link ContainerProcess#exitSignal()} are the command's;</li>
     *   <li>PID 1, which ignores SIGCHLD so that the kernel reaps every orphan at once, and
     *       is killed when the command has ended, which ends anything left in the namespace;</li>
     *   <li>the command, PID 2.</li>
     * </ul>
     * No Java code runs in the first two: they are rows of the child program. Forwarding is
     * bounded (about 450 signals; the plan states the number) because the row interpreter
     * must stay a short counted loop; later signals stay pending. Both are copies of the
     * JVM process made non-dumpable; they keep the pages the JVM modifies after the fork
     * alive (copy on write), so budget up to the JVM's resident memory per container while
     * it runs.
     *
     * <p>Without it, the command is PID 1: the kernel delivers to it only signals it has a
     * handler for (SIGTERM from {@link ContainerProcess#destroy()} is dropped for a program
     * with none; SIGKILL always works), and orphans it does not wait for stay zombies until
     * it exits.
     *
     * @see <a href="https://man7.org/linux/man-pages/man7/pid_namespaces.7.html">pid_namespaces(7)</a>
     */
    public ContainerBuilder init(boolean enabled) {
        this.init = enabled;
        return this;
    }

    /**
     * Installs this seccomp filter as the command's last step before execve, after every
     * other setting took effect (null, the default for now, installs none;
     * {@link SeccompProfile#unconfined()} says so explicitly). With a supervised start
     * ({@link #init(boolean)}, a joined pid namespace, time offsets) only the command is
     * filtered, not its supervisor and reaper.
     *
     * <p>The kernel accepts a filter from a process that has no_new_privs set or holds
     * CAP_SYS_ADMIN. So a filter turns {@link #noNewPrivileges(boolean) no_new_privs} on,
     * unless the kept {@link #capabilities(Capabilities) capabilities} include CAP_SYS_ADMIN
     * in the effective set (a privileged container that chose to leave it off).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/seccomp.2.html">seccomp(2)</a>
     */
    public ContainerBuilder seccomp(SeccompProfile profile) {
        this.seccomp = profile;
        return this;
    }

    /**
     * Validates the settings and returns them as an immutable spec.
     *
     * @throws IllegalArgumentException naming the field and the rule that a value breaks
     */
    public LaunchSpec spec() {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command is empty: give the program to run and its arguments");
        }
        for (int i = 0; i < command.size(); i++) {
            requireNoNul(Objects.requireNonNull(command.get(i), "command[" + i + "]"), "command[" + i + "]");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : environment.entrySet()) {
            String key = Objects.requireNonNull(entry.getKey(), "environment name");
            String value = Objects.requireNonNull(entry.getValue(), "environment value of " + key);
            if (key.isEmpty() || key.indexOf('=') >= 0) {
                throw new IllegalArgumentException("environment variable name \"" + key
                        + "\" is empty or contains '=', which would split it differently in the child");
            }
            requireNoNul(key, "environment variable name " + key);
            requireNoNul(value, "environment variable " + key);
            env.put(key, value);
        }
        if (directory != null) {
            requireNoNul(directory.toString(), "directory");
        }
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, resolveProgram(command.getFirst()));
        checkFdTargets();
        for (NamespaceType type : joins.keySet()) {
            if (newNamespaces.contains(type)) {
                throw new IllegalArgumentException("namespace " + type + " is both created and joined; choose one");
            }
        }
        if ((!uidMap.isEmpty() || !gidMap.isEmpty()) && !newNamespaces.contains(NamespaceType.USER)) {
            throw new IllegalArgumentException("uid/gid maps are set but no new user namespace is created;"
                    + " add NamespaceType.USER");
        }
        IdMapping.validate(uidMap, "uid");
        IdMapping.validate(gidMap, "gid");
        checkHostname("hostname", hostname);
        checkHostname("domainname", domainname);
        checkNamespaceOptions();
        if (parentDeathSignal < 0 || parentDeathSignal > 64) {
            throw new IllegalArgumentException("parent death signal " + parentDeathSignal + " is outside 0..64");
        }
        boolean filtered = seccomp != null && !seccomp.isUnconfined();
        if (filtered) {
            seccomp.checkInstallable(dev.hako.bindings.Arch.CURRENT);
        }
        boolean keepsSysAdmin = capabilities != null
                && capabilities.effective().contains(dev.hako.syscalls.Capability.SYS_ADMIN);
        return new LaunchSpec(List.copyOf(resolved), env, directory, stdin, stdout, stderr, Map.copyOf(passedFds),
                newNamespaces.isEmpty() ? Set.of() : EnumSet.copyOf(newNamespaces), Map.copyOf(joins),
                List.copyOf(uidMap), List.copyOf(gidMap), setgroupsAllowed, hostname, domainname, identity,
                capabilities, Map.copyOf(resourceLimits), noNewPrivileges || (filtered && !keepsSysAdmin),
                parentDeathSignal, newSession, umask, cgroup, execTimeout, mounts, timeOffsets, subordinateMaps, init,
                filtered ? seccomp : null);
    }

    /** Compiles the settings into the steps a start would take, without running any. */
    public LaunchPlan plan() {
        return new LaunchPlan(spec(), extraChildSteps, classicMounts);
    }

    /**
     * Starts the process.
     *
     * @throws IllegalArgumentException for invalid settings (nothing was started)
     * @throws IOException              if a step failed; the message names the step, and
     *                                  nothing is left behind (no process, descriptor or cgroup entry)
     */
    public ContainerProcess start() throws IOException {
        return Launcher.start(plan());
    }

    private void checkNamespaceOptions() {
        if (init && !newNamespaces.contains(NamespaceType.PID)) {
            throw new IllegalArgumentException("init needs a new pid namespace (add NamespaceType.PID): only PID 1 of"
                    + " a namespace receives its orphans");
        }
        if (mounts != null && joins.containsKey(NamespaceType.MOUNT)) {
            throw new IllegalArgumentException("mounts need a new mount namespace, but the mount namespace is joined");
        }
        if (timeOffsets != null) {
            timeOffsets.checkAgainstClocks();
        }
        if (subordinateMaps) {
            SubordinateIds.check(uidMap, gidMap);
        }
    }

    private void checkFdTargets() {
        for (int target : passedFds.keySet()) {
            if (target < 3) {
                throw new IllegalArgumentException("fd " + target + " is standard "
                        + (target == 0 ? "input" : target == 1 ? "output" : "error")
                        + "; use redirectInput/redirectOutput/redirectError for it, and pass fds at 3 or above");
            }
        }
    }

    private static void checkHostname(String field, String value) {
        if (value == null) {
            return;
        }
        requireNoNul(value, field);
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > 64) {
            throw new IllegalArgumentException(field + " \"" + value + "\" is " + bytes
                    + " bytes; the kernel allows at most 64");
        }
        if (value.indexOf('/') >= 0) {
            throw new IllegalArgumentException(field + " \"" + value + "\" contains '/'");
        }
    }

    static void requireNoNul(String value, String field) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " contains a NUL byte, which C strings cannot hold: "
                    + value.replace("\0", "\\0"));
        }
    }

    /** Finds a program without a slash on the JVM's PATH, as execvp would; absolute paths stay. */
    private static String resolveProgram(String program) {
        if (program.isEmpty()) {
            throw new IllegalArgumentException("command[0] is empty: give the program to run");
        }
        if (program.indexOf('/') >= 0) {
            return Path.of(program).toAbsolutePath().toString();
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        throw new IllegalArgumentException("program \"" + program + "\" was not found in PATH (" + path
                + "); give an absolute path or install it");
    }
}
