package dev.hako.checkpoint.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An rseq critical-section descriptor ({@code struct rseq_cs} of {@code <linux/rseq.h>})
 * and the checks the kernel makes on it before it sends a preempted task to the abort
 * handler ({@code kernel/rseq.c}: {@code rseq_get_rseq_cs}, {@code rseq_ip_fixup}; see
 * <a href="https://man7.org/linux/man-pages/man2/rseq.2.html">rseq(2)</a>).
 *
 * @param version          the descriptor's version (0 is the only one)
 * @param flags            its flags (the kernel accepts none)
 * @param startIp          the first instruction of the section
 * @param postCommitOffset the section's length: it ends before {@code startIp + postCommitOffset}
 * @param abortIp          where a preempted section goes
 */
record RseqSection(int version, int flags, long startIp, long postCommitOffset, long abortIp) {

    /** Offset of the {@code rseq_cs} pointer in {@code struct rseq}, after cpu_id_start and cpu_id. */
    static final int RSEQ_CS_POINTER = 8;
    /** Size of {@code struct rseq_cs}. */
    static final int SIZE = 32;
    static final int VERSION = 0;
    static final int FLAGS = 4;
    static final int START_IP = 8;
    static final int POST_COMMIT_OFFSET = 16;
    static final int ABORT_IP = 24;

    /** The descriptor from its {@link #SIZE} bytes as they sit in the task's memory. */
    static RseqSection of(byte[] raw) {
        MemorySegment s = MemorySegment.ofArray(raw);
        return new RseqSection(s.get(ValueLayout.JAVA_INT_UNALIGNED, VERSION),
                s.get(ValueLayout.JAVA_INT_UNALIGNED, FLAGS), s.get(ValueLayout.JAVA_LONG_UNALIGNED, START_IP),
                s.get(ValueLayout.JAVA_LONG_UNALIGNED, POST_COMMIT_OFFSET),
                s.get(ValueLayout.JAVA_LONG_UNALIGNED, ABORT_IP));
    }

    /** Whether {@code ip} is inside the section: {@code startIp <= ip < startIp + postCommitOffset}. */
    boolean contains(long ip) {
        return Long.compareUnsigned(ip - startIp, postCommitOffset) < 0;
    }

    /**
     * Why the kernel refuses this descriptor (it kills the task with SIGSEGV when it next
     * checks it), or null when it would send a task inside the section to {@link #abortIp}.
     *
     * @param signatureBeforeAbort the 4 bytes before the abort handler, as an int
     * @param registeredSignature  the signature the task registered with rseq(2)
     */
    String problem(int signatureBeforeAbort, long registeredSignature) {
        if (version != 0) {
            return "version " + Integer.toUnsignedString(version) + " (only 0 exists)";
        }
        if (Long.compareUnsigned(startIp + postCommitOffset, startIp) < 0) {
            return "a section that wraps around the address space";
        }
        if (contains(abortIp)) {
            return "its abort handler inside the section";
        }
        if (flags != 0) {
            return "flags 0x" + Integer.toHexString(flags) + " (the kernel accepts none)";
        }
        if ((signatureBeforeAbort & 0xffffffffL) != registeredSignature) {
            return "signature 0x" + Integer.toHexString(signatureBeforeAbort) + " before its abort handler, not the"
                    + " registered 0x" + Long.toHexString(registeredSignature);
        }
        return null;
    }

    /** For messages: the section's bounds and abort handler. */
    String describe() {
        return "[0x" + Long.toHexString(startIp) + ", 0x" + Long.toHexString(startIp + postCommitOffset)
                + ") aborting to 0x" + Long.toHexString(abortIp);
    }
}
