package dev.hako.launchprobe;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Launchers;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A short-lived program as hako-oci's create is one: a fresh JVM that readies in-process
 * starts on a thread of its own ({@link Launchers#prepare()}) while its main thread builds
 * and checks a container, then starts {@code args[0]} containers in a row, each bounded.
 * Prints {@code ok=N} (N exited with status 0), or {@code refused: } and the message of a
 * start that failed; a start that hangs ends it with an error.
 */
public final class PrepareProbe {

    private PrepareProbe() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        int starts = Integer.parseInt(args[0]);
        Thread prepare = Thread.ofPlatform().start(() -> {
            try {
                Launchers.inProcess().prepare();
            } catch (IOException e) {
                System.out.println("prepare refused: " + e.getMessage());
            }
        });
        ContainerBuilder builder = new ContainerBuilder("/bin/true").namespaces(NamespaceType.PID, NamespaceType.MOUNT,
                NamespaceType.IPC, NamespaceType.UTS).launcher(Launchers.inProcess());
        builder.plan();
        int ok = 0;
        for (int i = 0; i < starts; i++) {
            try (ContainerProcess p = builder.start()) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("start " + i + " did not exit within 30 s");
                }
                ok += p.exitValue() == 0 ? 1 : 0;
            } catch (IOException e) {
                System.out.println("refused: " + e.getMessage());
                prepare.join();
                return;
            }
        }
        prepare.join();
        System.out.println("ok=" + ok);
    }
}
