package dev.vigil.feature;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary encoding of the states and replay records the Redis store keeps: unsigned and zig-zag
 * varints (7 bits a byte, as protobuf) and length-prefixed UTF-8 strings. Every state value starts
 * with its 8-byte version, which {@code write-states.lua} compares before it overwrites the value.
 */
final class StateBytes {

    private StateBytes() {}

    /** The length of the version every state value starts with. */
    static final int VERSION_BYTES = 8;

    static final class Writer {
        /** A plain growing array: ByteArrayOutputStream synchronizes every byte. */
        private byte[] buf;
        private int size;

        Writer() {
            this(256);
        }

        /** A writer whose buffer starts at {@code capacity} bytes: a state's last encoded size saves the regrowing. */
        Writer(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        /** Room for {@code n} more bytes. */
        private void reserve(int n) {
            if (size + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }

        private void write(int b) {
            reserve(1);
            buf[size++] = (byte) b;
        }

        private void write(byte[] b, int from, int length) {
            reserve(length);
            System.arraycopy(b, from, buf, size, length);
            size += length;
        }

        Writer version(long v) {
            for (int i = 7; i >= 0; i--) write((int) (v >>> (8 * i)));
            return this;
        }

        Writer unsigned(long v) {
            reserve(10); // a 64-bit varint is at most 10 bytes
            byte[] b = buf;
            int at = size;
            while ((v & ~0x7FL) != 0) {
                b[at++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b[at++] = (byte) v;
            size = at;
            return this;
        }

        Writer signed(long v) {
            return unsigned((v << 1) ^ (v >> 63));
        }

        Writer bool(boolean b) {
            write(b ? 1 : 0);
            return this;
        }

        Writer string(String s) {
            int n = s.length();
            boolean ascii = n < 128;
            for (int i = 0; ascii && i < n; i++) ascii = s.charAt(i) < 0x80;
            if (ascii) {
                // The common case, byte for byte what UTF-8 gives, without the intermediate array.
                reserve(1 + n);
                buf[size++] = (byte) n;
                for (int i = 0; i < n; i++) buf[size++] = (byte) s.charAt(i);
                return this;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            unsigned(b.length);
            write(b, 0, b.length);
            return this;
        }

        /**
         * Empties the writer for the next value and keeps its buffer: the Redis store encodes every state and replay
         * record of a batch through one writer, so each value costs one array (its copy), not two.
         */
        Writer reset() {
            size = 0;
            return this;
        }

        /** The number of bytes written so far. */
        int size() {
            return size;
        }

        Writer bytes(byte[] b) {
            unsigned(b.length);
            write(b, 0, b.length);
            return this;
        }

        byte[] toBytes() {
            return Arrays.copyOf(buf, size);
        }
    }

    static final class Reader {
        private final byte[] in;
        private int at;

        Reader(byte[] in, int from) {
            this.in = in;
            this.at = from;
        }

        long version() {
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | (in[at++] & 0xFF);
            return v;
        }

        long unsigned() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = in[at++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) return v;
            }
        }

        int count() {
            return Math.toIntExact(unsigned());
        }

        long signed() {
            long u = unsigned();
            return (u >>> 1) ^ -(u & 1);
        }

        boolean bool() {
            return in[at++] != 0;
        }

        String string() {
            int n = count();
            String s = new String(in, at, n, StandardCharsets.UTF_8);
            at += n;
            return s;
        }

        byte[] bytes() {
            int n = count();
            byte[] b = java.util.Arrays.copyOfRange(in, at, at + n);
            at += n;
            return b;
        }

        boolean atEnd() {
            return at == in.length;
        }

        /** The offset of the next byte to read. */
        int position() {
            return at;
        }
    }
}
