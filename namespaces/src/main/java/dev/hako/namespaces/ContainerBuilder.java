package dev.hako.namespaces;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.namespaces.launch.ApiAccess;
import dev.hako.namespaces.launch.ChildProgram;
import dev.hako.namespaces.launch.CurrentIds;
import dev.hako.namespaces.launch.LaunchSpec;
import dev.hako.namespaces.launch.Launcher;
import dev.hako.namespaces.launch.MountCompiler;
import dev.hako.namespaces.launch.Plan;
import dev.hako.namespaces.launch.SubordinateIds;
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
 * <p>Contained by default, as runc and Docker are: Docker's 14 capabilities (the bounding
 * set dropped up to the kernel's last), no_new_privs, a seccomp allowlist
 * ({@link SeccompProfile#defaultProfile()}), a minimal environment, and in a
 * {@link #mounts(MountSpec) mount view} a private /dev and masked /proc; device rules in
 * the container's own cgroup. {@link #privileged()} turns all of it off; the setters
 * adjust each part. The file system is contained only by a view: without
 * {@link #mounts(MountSpec)} the process sees the host's files, as a {@link ProcessBuilder}
 * child does, and a root payload keeps DAC_OVERRIDE over them.
 *
 * <p>A builder is not thread-safe; each {@code start()} reads its state at that moment.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/clone3.2.html">clone3(2)</a>
 */
public final class ContainerBuilder {

    /** How long {@link #start()} waits for execve by default. */
    public static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(10);

    static {
        ApiAccess.install(new EngineAccess());
    }

    private List<String> command;

    private final Map<String, String> environment = minimalEnvironment();
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
    /** Null: the container defaults, fitted at {@link #spec()} to the namespaces and identity. */
    private Capabilities capabilities;
    private final EnumMap<Resource, ResourceLimit> resourceLimits = new EnumMap<>(Resource.class);
    /** Null: on, unless {@link #privileged()}. */
    private Boolean noNewPrivileges;
    private boolean privileged;
    private boolean hostDevices;
    private int parentDeathSignal;
    private boolean newSession;
    private int umask = -1;
    private CgroupPlacement cgroup;
    private Duration execTimeout = DEFAULT_EXEC_TIMEOUT;
    private MountSpec mounts;
    private LaunchSpec.TimeOffsets timeOffsets;
    private boolean subordinateMaps;
    private boolean init;
    /** Null: {@link SeccompProfile#defaultProfile()}, unless {@link #privileged()}. */
    private SeccompProfile seccomp;
    /** Descriptor number the child waits on before execve, or -1 (see {@link #execGate(int)}). */
    private int execGate = -1;
    private boolean reap = true;
    private LaunchSpec.Terminal terminal;
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
     * The environment of the new process, edited in place. It starts minimal: PATH (the
     * JVM's, or the usual one), and HOME and TERM when the JVM has them. The JVM's whole
     * environment, which in a service holds credentials and tokens, reaches the payload
     * only through {@link #inheritEnvironment()}.
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * Replaces the environment with a copy of the JVM's whole environment, as
     * {@link ProcessBuilder} starts with. Everything in it, secrets included, becomes
     * readable to the payload.
     */
    public ContainerBuilder inheritEnvironment() {
        environment.clear();
        environment.putAll(System.getenv());
        return this;
    }

    private static Map<String, String> minimalEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", LaunchSpec.STANDARD_PATH));
        for (String name : List.of("HOME", "TERM")) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        return env;
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

    /**
     * Joins an existing namespace of {@code type} instead of creating one (setns(2) in the
     * child, the user namespace first).
     *
     * <p>setns into a pid namespace moves only the caller's later children into it, so with
     * {@link NamespaceType#PID} the child hands off: after its setns calls it forks the
     * command's process with clone3(CLONE_PARENT), which makes it a child of this JVM in
     * the joined namespace, reports its pid and exits, and this JVM reaps it at once. The
     * process {@link #start()} returns is then the command itself, in the joined namespace
     * (its pid there is not 1), and signals, the exit status and
     * {@link #execGate(int)} are its own. The rest of its setup (mounts, ids, capabilities)
     * runs in it. With {@link #timeOffsets(Duration, Duration) time offsets} the start is supervised instead,
     * as those describe.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/setns.2.html">setns(2)</a>
     */
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

    /**
     * Sets the hostname of a new UTS namespace (adds the namespace), or, with a UTS
     * namespace {@link #join joined} first, of that one, as runc does.
     */
    public ContainerBuilder hostname(String hostname) {
        this.hostname = hostname;
        addUtsUnlessJoined();
        return this;
    }

    /**
     * Sets the NIS domain name of a new UTS namespace (adds the namespace), or, with a UTS
     * namespace {@link #join joined} first, of that one.
     */
    public ContainerBuilder domainname(String domainname) {
        this.domainname = domainname;
        addUtsUnlessJoined();
        return this;
    }

    private void addUtsUnlessJoined() {
        if (!joins.containsKey(NamespaceType.UTS)) {
            newNamespaces.add(NamespaceType.UTS);
        }
    }

    /** Runs as this user and group with these supplementary groups. */
    public ContainerBuilder user(long uid, long gid, long... groups) {
        this.identity = new LaunchSpec.Identity(uid, gid, Arrays.stream(groups).boxed().toList());
        return this;
    }

    /**
     * Keeps exactly these capability sets (the rest are dropped before exec, the bounding
     * set up to the kernel's {@code cap_last_cap}). Without this call a container keeps
     * {@link Capabilities#containerDefaults()}: Docker's 14 in bounding, permitted and
     * effective, without CAP_MKNOD unless device rules guard the container's cgroup (see
     * {@link #cgroup(CgroupPlacement)}), and only the bounding set for a non-root
     * {@link #user(long, long, long...)}. Use {@code Capabilities.containerDefaults().plus(...)}
     * or {@code .minus(...)} to adjust the defaults.
     *
     * @see <a href="https://man7.org/linux/man-pages/man7/capabilities.7.html">capabilities(7)</a>
     */
    public ContainerBuilder capabilities(Capabilities capabilities) {
        this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
        return this;
    }

    /**
     * Turns off every default protection, for trusted payloads that need the host: the
     * JVM's capabilities are kept, no_new_privs stays off, no seccomp filter is installed,
     * and a mount view gets the host's /dev and unmasked /proc and /sys; no cgroup device
     * rules apply. Namespaces, mounts and limits asked for still apply, and settings made
     * explicitly ({@link #capabilities}, {@link #noNewPrivileges}) still win. Like
     * {@code docker run --privileged}: a root payload can then reach the host.
     */
    public ContainerBuilder privileged() {
        this.privileged = true;
        return this;
    }

    /**
     * Gives the payload the host's devices: the mount view keeps the host's /dev (see
     * {@link MountSpec.Builder#hostDev()}), no cgroup device rules are applied, and
     * CAP_MKNOD stays in the default set. Other defaults stay.
     */
    public ContainerBuilder hostDevices() {
        this.hostDevices = true;
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

    /**
     * Sets whether PR_SET_NO_NEW_PRIVS is set, so that exec can never grant privileges
     * (setuid bits, file capabilities). On by default, off with {@link #privileged()}.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/PR_SET_NO_NEW_PRIVS.2const.html">PR_SET_NO_NEW_PRIVS(2const)</a>
     */
    public ContainerBuilder noNewPrivileges(boolean value) {
        this.noNewPrivileges = value;
        return this;
    }

    /**
     * Signal for the child when the thread that started it ends (PR_SET_PDEATHSIG). It is
     * tied to that thread, not the JVM, so start from a thread that lives as long as the
     * child should. Through the launch server ({@link Launchers#server()}) the child's
     * parent thread is the one that started the server, which lives as long as the JVM: the
     * signal then comes when the JVM ends.
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

    /** The control group the process will start in, or null. */
    public CgroupPlacement cgroup() {
        return cgroup;
    }

    /**
     * Starts the process in this control group. A placement {@link CgroupPlacement#of(Cgroup)
     * of a Cgroup} is taken to be the container's own group: the start sets its device rules
     * (deny all, allow the private /dev's nodes; cgroup v1's devices controller, or on v2 an
     * eBPF device program), unless {@link #hostDevices()} or {@link #privileged()}. Only then
     * does CAP_MKNOD stay in the default capability set.
     */
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
     * <p>With a mount namespace {@link #join joined} first, the view is built in that
     * namespace instead, as runc does for a config that names one: its mounts, pivot_root
     * included, then change it for every process in it.
     *
     * @see MountSpec
     */
    public ContainerBuilder mounts(MountSpec mounts) {
        this.mounts = Objects.requireNonNull(mounts, "mounts");
        if (!joins.containsKey(NamespaceType.MOUNT)) {
            newNamespaces.add(NamespaceType.MOUNT);
        }
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
     * Installs this seccomp filter instead of {@link SeccompProfile#defaultProfile()}, the
     * default ({@link SeccompProfile#unconfined()} installs none; so does
     * {@link #privileged()} unless a profile is set here). The filter is the command's last
     * step before execve, after every other setting took effect. With a supervised start
     * ({@link #init(boolean)}, time offsets) only the command is filtered, not its
     * supervisor and reaper.
     *
     * <p>The kernel accepts a filter from a process that has no_new_privs set or holds
     * CAP_SYS_ADMIN. With {@link #noNewPrivileges(boolean) no_new_privs} turned off, the
     * filter is therefore installed earlier, while the child still holds every capability of
     * its namespaces, before the bounding set, ids and capabilities change (as runc does);
     * the profile must then allow the few calls that follow (prctl, capset, setresuid,
     * setresgid, setgroups, umask, chdir, execve), which the default profile does.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/seccomp.2.html">seccomp(2)</a>
     */
    public ContainerBuilder seccomp(SeccompProfile profile) {
        this.seccomp = profile;
        return this;
    }

    /**
     * Stops the new process right before execve until one byte can be read from descriptor
     * {@code fd}, which must be passed with {@link #passFd(Fd, int)}: what an OCI runtime's
     * {@code create} needs, leaving a container's init ready but not running until
     * {@code start}. After every other step (before the seccomp filter, unless no_new_privs
     * is off and the filter therefore comes early) the child closes its copy of the start
     * report, so {@link #start()} returns with the process waiting; it then reads, closes {@code fd} and executes. Give
     * it a descriptor nothing else reads, such as a pipe reopened read-write through
     * /proc/self/fd (so its reader never sees end of file); another process releases the
     * child by writing to /proc/PID/fd/{@code fd}. End of file or an error there makes the
     * child exit with status 127 instead. A failure after the wait (the filter, execve)
     * is no longer reported by {@code start()}: the process then exits with status 127.
     * Not with a supervised start ({@link #init(boolean)}, time offsets), whose command is
     * not the process {@code start()} returns; a joined pid namespace is fine (see
     * {@link #join}).
     *
     * @param fd the child's descriptor number (3 or more), or -1 for no wait (the default)
     */
    public ContainerBuilder execGate(int fd) {
        if (fd != -1 && fd < 3) {
            throw new IllegalArgumentException("exec gate fd " + fd + " is standard input, output or error; pass a"
                    + " descriptor at 3 or above with passFd");
        }
        this.execGate = fd;
        return this;
    }

    /**
     * Whether this JVM reaps the process when it ends (true, the default). With false the
     * end is still observed ({@link ContainerProcess#waitFor()}, {@code onExit()} and
     * {@code exitValue()} work, through waitid with WNOWAIT), but the process stays a
     * zombie until its parent is gone and whoever inherits it (init, or the nearest
     * subreaper) reaps it and reads its status. That is what a process handed on needs, as
     * an OCI runtime's {@code create} and {@code exec} hand theirs to containerd's shim,
     * which learns the exit status only by reaping it itself after the runtime has exited.
     * A JVM that lives on leaves such a zombie behind: use it only in one that exits.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/waitid.2.html">waitid(2)</a>
     */
    public ContainerBuilder reap(boolean reap) {
        this.reap = reap;
        return this;
    }

    /**
     * Gives the process a pseudo-terminal of its own and sends the master to
     * {@code consoleSocket}, as an OCI runtime does for {@code process.terminal} with
     * {@code --console-socket}. Rows of the child, after the mounts: open the /dev/ptmx the
     * process sees (with a {@link #mounts(MountSpec) mount view}, the private /dev's own
     * devpts instance, so that the terminal's /dev/pts/N exists inside), unlock it, open its
     * peer (TIOCGPTPEER), start a new session, send the master over the socket with
     * sendmsg and SCM_RIGHTS (the data is the text {@code /dev/ptmx}, as runc sends it),
     * make the peer standard input, output and error and the controlling terminal
     * (TIOCSCTTY), and, with a mount view, bind it over /dev/console. A non-root
     * {@link #user(long, long, long...) user} is made the peer's owner, so that it can
     * reopen it. The master is sent before {@link #start()} returns; the caller keeps
     * {@code consoleSocket}, which the process does not hold after sending.
     *
     * @param consoleSocket a connected unix stream socket; whoever holds its other end
     *                      receives the master (recvmsg)
     * @see <a href="https://man7.org/linux/man-pages/man4/pts.4.html">pts(4)</a>
     * @see <a href="https://man7.org/linux/man-pages/man2/TIOCSCTTY.2const.html">TIOCSCTTY(2const)</a>
     */
    public ContainerBuilder terminal(Fd consoleSocket) {
        this.terminal = new LaunchSpec.Terminal(consoleSocket, null);
        return this;
    }

    /**
     * As {@link #terminal(Fd)}, with the terminal's window size set before the process
     * runs (TIOCSWINSZ), as runc does for {@code process.consoleSize}.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/TIOCSWINSZ.2const.html">TIOCSWINSZ(2const)</a>
     */
    public ContainerBuilder terminal(Fd consoleSocket, dev.hako.syscalls.TerminalSyscalls.WindowSize size) {
        this.terminal = new LaunchSpec.Terminal(consoleSocket, Objects.requireNonNull(size, "size"));
        return this;
    }

    /**
     * Validates the settings and returns them as an immutable spec ({@link #plan()} does
     * this first, so a bad setting fails there and in {@link #start()} alike).
     *
     * @throws IllegalArgumentException naming the field and the rule that a value breaks
     */
    LaunchSpec spec() {
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
        MountSpec view = mounts;
        if (view != null && (privileged || hostDevices)) {
            view = view.withHostDev(privileged);
        }
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, resolveProgram(command.getFirst(), env.getOrDefault("PATH", LaunchSpec.STANDARD_PATH), view,
                joins.containsKey(NamespaceType.MOUNT)));
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
        if (execGate >= 0) {
            if (!passedFds.containsKey(execGate)) {
                throw new IllegalArgumentException("exec gate fd " + execGate + " is not passed to the child;"
                        + " pass it with passFd(fd, " + execGate + ")");
            }
            if (init || timeOffsets != null) {
                throw new IllegalArgumentException("an exec gate cannot be combined with a supervised start (init or"
                        + " time offsets): start() returns the supervisor, not the command");
            }
        }
        if (terminal != null && !(stdin instanceof Redirect.Inherit && stdout instanceof Redirect.Inherit
                && stderr instanceof Redirect.Inherit)) {
            throw new IllegalArgumentException("a terminal replaces standard input, output and error with the pty;"
                    + " leave redirectInput, redirectOutput and redirectError at INHERIT");
        }
        SeccompProfile filter = effectiveSeccomp();
        if (filter != null) {
            filter.checkInstallable(dev.hako.bindings.Arch.CURRENT);
        }
        return new LaunchSpec(List.copyOf(resolved), env, directory, stdin, stdout, stderr, Map.copyOf(passedFds),
                newNamespaces.isEmpty() ? Set.of() : EnumSet.copyOf(newNamespaces), Map.copyOf(joins),
                List.copyOf(uidMap), List.copyOf(gidMap), setgroupsAllowed, hostname, domainname, identity,
                effectiveCapabilities(), Map.copyOf(resourceLimits), noNewPrivileges(), parentDeathSignal,
                newSession, umask, cgroup, execTimeout, view, timeOffsets, subordinateMaps, init, deviceRules(view),
                effectiveSeccomp(), execGate, reap, terminal);
    }

    /**
     * Chooses which process forks the container: this JVM ({@link Launchers#inProcess()})
     * or the launch server ({@link Launchers#server()}). Unset, the system property
     * {@value Launchers#PROPERTY} decides at each start, and the launch server when that is
     * unset ({@link Launchers#fromSystemProperty()}).
     */
    public ContainerBuilder launcher(Launchers launcher) {
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        return this;
    }

    /** {@return the launcher a start uses now: the one set, else the system property's} */
    public Launchers launcher() {
        return launcher != null ? launcher : Launchers.fromSystemProperty();
    }

    private Launchers launcher;

    /**
     * Validates the settings and compiles them into the steps a start would take, without
     * running any. Its {@link LaunchPlan#describe() describe()} names the process that
     * would fork (the launch server, with its pid if it runs, or this JVM).
     *
     * @throws IllegalArgumentException naming the field and the rule that a value breaks
     */
    public LaunchPlan plan() {
        return new LaunchPlan(new Plan(spec(), extraChildSteps, classicMounts, launcher().isServer()));
    }

    /**
     * Starts the process.
     *
     * @throws IllegalArgumentException for invalid settings (nothing was started)
     * @throws IOException              if a step failed; the message names the step, and
     *                                  nothing is left behind (no process, descriptor or cgroup entry)
     */
    public ContainerProcess start() throws IOException {
        return Launcher.start(plan().engine(), ContainerProcess::new);
    }

    /** The no_new_privs setting: as set, else on unless privileged. */
    private boolean noNewPrivileges() {
        return noNewPrivileges != null ? noNewPrivileges : !privileged;
    }

    /** The filter to install, or null for none. */
    private SeccompProfile effectiveSeccomp() {
        SeccompProfile profile = seccomp != null ? seccomp : privileged ? null : SeccompProfile.defaultProfile();
        return profile == null || profile.isUnconfined() ? null : profile;
    }

    /**
     * The capability sets the child ends with: explicit ones as given; none chosen
     * (the JVM's kept) when privileged; else the container defaults, fitted to what the
     * child can hold. In a new or joined user namespace the child holds every capability
     * of that namespace; otherwise it holds only the JVM's, and without CAP_SETPCAP it can
     * shrink no bounding set (no_new_privs then keeps exec from gaining anything).
     */
    private Capabilities effectiveCapabilities() {
        if (capabilities != null) {
            return capabilities;
        }
        if (privileged) {
            return null;
        }
        Capabilities defaults = Capabilities.containerDefaults();
        if (!hostDevices && !deviceRulesApply()) {
            // Nothing else would stop a root payload from making a disk node and opening it
            // (with the host's devices chosen, mknod reaches no further).
            defaults = defaults.minus(Set.of(dev.hako.syscalls.Capability.MKNOD));
        }
        boolean ownUserNamespace = newNamespaces.contains(NamespaceType.USER) || joins.containsKey(NamespaceType.USER);
        if (!ownUserNamespace) {
            Set<dev.hako.syscalls.Capability> held;
            try {
                held = dev.hako.syscalls.CapabilitySyscalls.capget(0).permitted();
            } catch (dev.hako.syscalls.SyscallException e) {
                throw new IllegalStateException("cannot read the JVM's own capabilities: " + e.getMessage(), e);
            }
            defaults = defaults.within(held);
            if (!held.contains(dev.hako.syscalls.Capability.SETPCAP)) {
                defaults = new Capabilities(EnumSet.allOf(dev.hako.syscalls.Capability.class), defaults.effective(),
                        defaults.permitted(), defaults.inheritable(), defaults.ambient());
            }
        }
        if (identity != null && identity.uid() != 0) {
            defaults = defaults.withoutPermitted();
        }
        return defaults;
    }

    /**
     * Whether the start sets device rules: only on the container's own group (a placement
     * {@link CgroupPlacement#of(Cgroup) of a Cgroup}), where the layout can hold them.
     */
    private boolean deviceRulesApply() {
        return !privileged && !hostDevices && cgroup != null && cgroup.group() != null
                && cgroup.group().acceptsDeviceRules();
    }

    /**
     * The container's device rules: deny all, allow what the private /dev holds and the
     * devices the view adds ({@link MountSpec.Builder#device(Path)},
     * {@link MountSpec.Builder#node(MountSpec.DeviceNode)}), read, write and mknod.
     */
    private dev.hako.cgroupfs.DevicesSpec deviceRules(MountSpec view) {
        if (!deviceRulesApply()) {
            return null;
        }
        dev.hako.cgroupfs.DevicesSpec rules = dev.hako.cgroupfs.DevicesSpec.containerDefaults();
        if (view != null) {
            for (Path device : view.devices()) {
                rules = rules.allow(MountCompiler.deviceRule(device));
            }
            for (MountSpec.DeviceNode node : view.nodes()) {
                switch (node.type()) {
                    case CHARACTER -> rules = rules.allow(dev.hako.cgroupfs.DeviceRule.character(node.major(),
                            node.minor(), "rwm"));
                    case BLOCK -> rules = rules.allow(dev.hako.cgroupfs.DeviceRule.block(node.major(), node.minor(),
                            "rwm"));
                    case FIFO -> { } // no device: the rules do not apply
                }
            }
        }
        return rules;
    }

    private void checkNamespaceOptions() {
        if (init && !newNamespaces.contains(NamespaceType.PID)) {
            throw new IllegalArgumentException("init needs a new pid namespace (add NamespaceType.PID): only PID 1 of"
                    + " a namespace receives its orphans");
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

    /**
     * Finds a program without a slash as execvp(3) would, on the container's PATH. With a
     * rootfs, or in a joined mount namespace, the search happens in the child, inside the
     * container's root (the host's programs are not the container's), so the name stays
     * bare here; otherwise the view is
     * the host's tree and the search happens now, so that a missing program is reported
     * before anything starts. Absolute paths stay; relative ones are made absolute.
     */
    private static String resolveProgram(String program, String path, MountSpec view, boolean joinsMount) {
        if (program.isEmpty()) {
            throw new IllegalArgumentException("command[0] is empty: give the program to run");
        }
        boolean ownRoot = joinsMount || (view != null && !view.hostRoot());
        if (program.indexOf('/') >= 0) {
            return ownRoot ? program : Path.of(program).toAbsolutePath().toString();
        }
        if (ownRoot) {
            return program;
        }
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
