package dev.hako.syscalls.calls;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.NamespaceSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.UnshareFlag;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Encoders of the namespace calls: unshare, setns, sethostname, setdomainname and the nsfs ioctls. */
public final class NamespaceCalls {

    private NamespaceCalls() {
    }

    /** unshare(2) of namespaces and other context. */
    public static Call unshare(Set<NamespaceType> namespaces, Set<UnshareFlag> flags) {
        List<Flag> all = new ArrayList<>(namespaces);
        all.addAll(flags);
        return Call.of("unshare", Linux.SYS_unshare(), new long[] {Flag.combine(all)},
                () -> new String[] {Flag.describe(all)});
    }

    /** setns(2) into the namespace {@code fd} refers to, checked to be of {@code type} (null: any type). */
    public static Call setns(int fd, NamespaceType type) {
        return Call.of("setns", Linux.SYS_setns(), new long[] {fd, type == null ? 0 : type.bits()},
                () -> new String[] {Integer.toString(fd), type == null ? "0" : type.cName()});
    }

    /** setns(2) into several namespaces of the process a pidfd refers to. */
    public static Call setns(int pidfd, Set<NamespaceType> types) {
        return Call.of("setns", Linux.SYS_setns(), new long[] {pidfd, Flag.combine(types)},
                () -> new String[] {Integer.toString(pidfd), Flag.describe(types)});
    }

    /**
     * sethostname(2).
     *
     * @throws IllegalArgumentException if the name is longer than {@link NamespaceSyscalls#MAX_NAME_BYTES}
     *                                  or contains a NUL byte
     */
    public static Call sethostname(SegmentAllocator memory, String name) {
        return utsName("sethostname", Linux.SYS_sethostname(), "hostname", memory, name);
    }

    /**
     * setdomainname(2).
     *
     * @throws IllegalArgumentException if the name is longer than {@link NamespaceSyscalls#MAX_NAME_BYTES}
     *                                  or contains a NUL byte
     */
    public static Call setdomainname(SegmentAllocator memory, String name) {
        return utsName("setdomainname", Linux.SYS_setdomainname(), "domainname", memory, name);
    }

    private static Call utsName(String syscall, int number, String field, SegmentAllocator memory, String name) {
        CStrings.requireNoNul(name, field);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > NamespaceSyscalls.MAX_NAME_BYTES) {
            throw new IllegalArgumentException(field + " must be at most " + NamespaceSyscalls.MAX_NAME_BYTES
                    + " bytes, got " + bytes.length + ": \"" + name + '"');
        }
        // The kernel takes a length, not a C string; one byte more keeps a zero-length name valid.
        MemorySegment copy = memory.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, copy, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return Call.of(syscall, number, new long[] {copy.address(), bytes.length},
                () -> new String[] {Show.quote(name), Integer.toString(bytes.length)});
    }

    /** ioctl(2) NS_GET_USERNS: opens the owning user namespace. */
    public static Call nsGetUserns(int namespace) {
        return nsIoctl(namespace, Linux.NS_GET_USERNS(), "NS_GET_USERNS", 0);
    }

    /** ioctl(2) NS_GET_PARENT: opens the parent namespace. */
    public static Call nsGetParent(int namespace) {
        return nsIoctl(namespace, Linux.NS_GET_PARENT(), "NS_GET_PARENT", 0);
    }

    /** ioctl(2) NS_GET_NSTYPE: returns the namespace's clone flag. */
    public static Call nsGetNstype(int namespace) {
        return nsIoctl(namespace, Linux.NS_GET_NSTYPE(), "NS_GET_NSTYPE", 0);
    }

    /** ioctl(2) NS_GET_OWNER_UID: writes the creator's uid to {@code uid} (a 4-byte int). */
    public static Call nsGetOwnerUid(int userNamespace, MemorySegment uid) {
        return nsIoctl(userNamespace, Linux.NS_GET_OWNER_UID(), "NS_GET_OWNER_UID", uid.address());
    }

    private static Call nsIoctl(int fd, long request, String requestName, long argument) {
        // The output pointer of NS_GET_OWNER_UID is left out of the text: it says nothing.
        return Call.of("ioctl", Linux.SYS_ioctl(), new long[] {fd, request, argument},
                () -> new String[] {Integer.toString(fd), requestName});
    }
}
