package io.kvasir.kvstore;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * One layer of one block as stored: K then V of the heads in {@code headMask}, each {@code [head][token][headDim]}
 * little-endian in {@code dtype}. On the wire: magic, version, dtype, token count, KV heads, head dim, head mask,
 * K, V and a CRC32C of everything before it.
 */
public record KvBlockRecord(KvDtype dtype, int tokens, int kvHeads, int headDim, long headMask, byte[] k, byte[] v) {

    static final int MAGIC = 0x4B56424B; // "KVBK"
    static final short VERSION = 1;
    private static final int HEADER = 4 + 2 + 1 + 2 + 2 + 2 + 8;

    public KvBlockRecord {
        if (tokens <= 0 || tokens > 64 || kvHeads <= 0 || kvHeads > 64 || headDim <= 0) {
            throw new IllegalArgumentException("bad block shape: " + tokens + " tokens, " + kvHeads + " heads of " + headDim);
        }
        int expected = Long.bitCount(headMask) * tokens * headDim * dtype.bytes();
        if (k.length != expected || v.length != expected) {
            throw new IllegalArgumentException("K/V of " + k.length + "/" + v.length + " bytes, expected " + expected);
        }
    }

    /** Every head present (no S2 head sharding). */
    public static long allHeads(int kvHeads) {
        return kvHeads == 64 ? -1L : (1L << kvHeads) - 1;
    }

    public int sizeBytes() {
        return HEADER + k.length + v.length + 4;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putShort(VERSION).put((byte) dtype.code()).putShort((short) tokens)
                .putShort((short) kvHeads).putShort((short) headDim).putLong(headMask).put(k).put(v);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Empty when the bytes are not a valid record (wrong magic or version, bad checksum, truncated): never use it. */
    public static Optional<KvBlockRecord> decode(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER + 4) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(bytes.length - 4) != (int) crc.getValue() || b.getInt() != MAGIC || b.getShort() != VERSION) {
            return Optional.empty();
        }
        KvDtype dtype = KvDtype.ofCode(b.get());
        if (dtype == null) {
            return Optional.empty();
        }
        try {
            int tokens = b.getShort(), kvHeads = b.getShort(), headDim = b.getShort();
            long mask = b.getLong();
            int n = Long.bitCount(mask) * tokens * headDim * dtype.bytes();
            if (n < 0 || HEADER + 2L * n + 4 != bytes.length) {
                return Optional.empty();
            }
            byte[] k = new byte[n];
            byte[] v = new byte[n];
            b.get(k).get(v);
            return Optional.of(new KvBlockRecord(dtype, tokens, kvHeads, headDim, mask, k, v));
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            return Optional.empty();
        }
    }
}
