package dev.hako.namespaces.launch;

import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/** Java streams over the JVM's ends of a container process's stdio pipes. */
public final class FdStreams {

    private static final int BUFFER = 8192;

    private FdStreams() {
    }

    /** Reads a pipe; end of stream when the child closes its end. */
    public static final class Input extends InputStream {
        private final Fd fd;
        private final MemorySegment buffer = Arena.ofAuto().allocate(BUFFER);

        /** A stream over {@code fd}, which it closes when closed. */
        public Input(Fd fd) {
            this.fd = fd;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            if (!fd.isOpen()) {
                throw new IOException("stream closed");
            }
            long n = FileSyscalls.read(fd, buffer.asSlice(0, Math.min(length, BUFFER)));
            if (n == 0) {
                return -1;
            }
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, offset, (int) n);
            return (int) n;
        }

        @Override
        public void close() {
            fd.close();
        }
    }

    /** Writes a pipe; closing it gives the child end of file. */
    public static final class Output extends OutputStream {
        private final Fd fd;

        /** A stream over {@code fd}, which it closes when closed. */
        public Output(Fd fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (!fd.isOpen()) {
                throw new IOException("stream closed");
            }
            try {
                byte[] slice = offset == 0 && length == bytes.length ? bytes : java.util.Arrays.copyOfRange(bytes, offset, offset + length);
                FileSyscalls.writeFully(fd, slice);
            } catch (SyscallException e) {
                throw e;
            }
        }

        @Override
        public void close() {
            fd.close();
        }
    }
}
