package dev.hako.checkpoint.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of protobuf's proto2 wire format that the images use: varints (wire type 0),
 * length-delimited bytes, strings and nested messages (type 2), 64- and 32-bit fixed
 * values (types 1 and 5, read only). Repeated fields are written unpacked, one key per
 * element, as proto2 does by default.
 */
public final class Proto {

    private Proto() {
    }

    /** Builds one message. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void varint(long value) {
            while ((value & ~0x7fL) != 0) {
                out.write((int) ((value & 0x7f) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }

        /** An unsigned or two's-complement integer field (uint32/uint64/int32/int64/bool/enum). */
        public Writer u(int field, long value) {
            varint((long) field << 3);
            varint(value);
            return this;
        }

        /** A zigzag-encoded signed field (sint32/sint64). */
        public Writer s(int field, long value) {
            return u(field, (value << 1) ^ (value >> 63));
        }

        /** A bool field, as the varint 0 or 1. */
        public Writer bool(int field, boolean value) {
            return u(field, value ? 1 : 0);
        }

        /** A length-delimited bytes field. */
        public Writer bytes(int field, byte[] value) {
            varint(((long) field << 3) | 2);
            varint(value.length);
            out.write(value, 0, value.length);
            return this;
        }

        /** A string field, in UTF-8. */
        public Writer string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        /** A nested message field. */
        public Writer message(int field, Writer message) {
            return bytes(field, message.toBytes());
        }

        /** The message written so far. */
        public byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /** A decoded message: each field number's values in order (varints as Long, type 2 as byte[]). */
    public static final class Message {
        private final Map<Integer, List<Object>> fields = new LinkedHashMap<>();

        /** Decodes {@code data}. */
        public static Message parse(byte[] data) throws IOException {
            Message message = new Message();
            int[] pos = {0};
            while (pos[0] < data.length) {
                long key = varint(data, pos);
                int field = (int) (key >>> 3);
                int type = (int) (key & 7);
                Object value = switch (type) {
                    case 0 -> varint(data, pos);
                    case 1 -> fixed(data, pos, 8);
                    case 5 -> fixed(data, pos, 4);
                    case 2 -> {
                        long length = varint(data, pos);
                        if (length < 0 || pos[0] + length > data.length) {
                            throw new IOException("image: field " + field + " runs past its message");
                        }
                        byte[] bytes = java.util.Arrays.copyOfRange(data, pos[0], (int) (pos[0] + length));
                        pos[0] += (int) length;
                        yield bytes;
                    }
                    default -> throw new IOException("image: wire type " + type + " of field " + field
                            + " is not proto2 this codec reads");
                };
                message.fields.computeIfAbsent(field, f -> new ArrayList<>()).add(value);
            }
            return message;
        }

        private static long varint(byte[] data, int[] pos) throws IOException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos[0] >= data.length) {
                    throw new IOException("image: varint cut short");
                }
                int b = data[pos[0]++] & 0xff;
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IOException("image: varint longer than 10 bytes");
        }

        private static long fixed(byte[] data, int[] pos, int size) throws IOException {
            if (pos[0] + size > data.length) {
                throw new IOException("image: fixed field cut short");
            }
            long value = 0;
            for (int i = 0; i < size; i++) {
                value |= (long) (data[pos[0] + i] & 0xff) << (8 * i);
            }
            pos[0] += size;
            return value;
        }

        /** Whether the message has a value for {@code field}. */
        public boolean has(int field) {
            return fields.containsKey(field);
        }

        /** The last value of varint {@code field}, or {@code otherwise} when it is absent. */
        public long u(int field, long otherwise) {
            List<Object> values = fields.get(field);
            return values == null ? otherwise : (Long) values.getLast();
        }

        /** The last value of varint {@code field}, which the image must have. */
        public long u(int field) throws IOException {
            List<Object> values = fields.get(field);
            if (values == null) {
                throw new IOException("image: required field " + field + " is missing");
            }
            return (Long) values.getLast();
        }

        /** The last value of zigzag-encoded {@code field}, or {@code otherwise} when it is absent. */
        public long s(int field, long otherwise) {
            long raw = u(field, Long.MIN_VALUE);
            return raw == Long.MIN_VALUE && !has(field) ? otherwise : (raw >>> 1) ^ -(raw & 1);
        }

        /** Every value of repeated varint {@code field}, in order (empty when absent). */
        public List<Long> repeatedU(int field) {
            List<Long> result = new ArrayList<>();
            for (Object value : fields.getOrDefault(field, List.of())) {
                result.add((Long) value);
            }
            return result;
        }

        /** The last value of bytes {@code field}, or null when it is absent. */
        public byte[] bytes(int field) {
            List<Object> values = fields.get(field);
            return values == null ? null : (byte[]) values.getLast();
        }

        /** The last value of string {@code field}, or null when it is absent. */
        public String string(int field) {
            byte[] bytes = bytes(field);
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        /** The last value of message {@code field}, decoded, or null when it is absent. */
        public Message message(int field) throws IOException {
            byte[] bytes = bytes(field);
            return bytes == null ? null : parse(bytes);
        }

        /** Every value of repeated message {@code field}, decoded, in order. */
        public List<Message> messages(int field) throws IOException {
            List<Message> result = new ArrayList<>();
            for (Object value : fields.getOrDefault(field, List.of())) {
                result.add(parse((byte[]) value));
            }
            return result;
        }

        /** Every value of repeated bytes {@code field}, in order. */
        public List<byte[]> repeatedBytes(int field) {
            List<byte[]> result = new ArrayList<>();
            for (Object value : fields.getOrDefault(field, List.of())) {
                result.add((byte[]) value);
            }
            return result;
        }
    }
}
