package io.kvasir.kvstore;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * 128-bit identity of a full 64-token block in its context: SHA-256 over the parent block's hash and this block's
 * token ids, truncated (vLLM's prefix-cache scheme). Equal hashes mean equal token prefixes, so a block's KV can
 * be reused by any request that shares the prefix.
 */
public record ChainHash(long high, long low) implements Serializable {

    /** The parent of a sequence's first block. */
    public static final ChainHash ROOT = new ChainHash(0, 0);

    public static ChainHash of(ChainHash parent, int[] tokens, int from, int to) {
        ByteBuffer buf = ByteBuffer.allocate(16 + 4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(parent.high).putLong(parent.low);
        for (int i = from; i < to; i++) {
            buf.putInt(tokens[i]);
        }
        ByteBuffer digest = ByteBuffer.wrap(sha256().digest(buf.array()));
        return new ChainHash(digest.getLong(), digest.getLong());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static ChainHash parse(String hex) {
        if (hex == null || hex.length() != 32) {
            throw new IllegalArgumentException("a chain hash is 32 hex digits, got '" + hex + "'");
        }
        HexFormat f = HexFormat.of();
        return new ChainHash(f.fromHexDigitsToLong(hex, 0, 16), f.fromHexDigitsToLong(hex, 16, 32));
    }

    @Override
    public String toString() {
        HexFormat f = HexFormat.of();
        return f.toHexDigits(high) + f.toHexDigits(low);
    }
}
