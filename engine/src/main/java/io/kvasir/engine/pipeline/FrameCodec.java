package io.kvasir.engine.pipeline;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of a {@link StageFrame}: a 4-byte big-endian body length, then the body — kind (1 byte), id (8),
 * chunk count (4) and per chunk sequence (8), start (4), all-logits flag (1), token count (4) and the token ids
 * (4 each); then the value count (4) and the F32 values little-endian (as activations sit in memory); then the
 * error text as a length-prefixed UTF-8 string.
 */
final class FrameCodec {

    private static final int MAX_BODY = 1 << 30;

    private FrameCodec() {
    }

    static Buffer encode(StageFrame f) {
        byte[] error = f.error().getBytes(StandardCharsets.UTF_8);
        int size = 1 + 8 + 4 + 4 + f.values().length * 4 + 4 + error.length;
        for (StageChunk c : f.chunks()) {
            size += 8 + 4 + 1 + 4 + c.tokens().length * 4;
        }
        ByteBuffer b = ByteBuffer.allocate(4 + size);
        b.putInt(size).put((byte) f.kind().ordinal()).putLong(f.id()).putInt(f.chunks().size());
        for (StageChunk c : f.chunks()) {
            b.putLong(c.sequence()).putInt(c.start()).put((byte) (c.allLogits() ? 1 : 0)).putInt(c.tokens().length);
            for (int t : c.tokens()) {
                b.putInt(t);
            }
        }
        b.putInt(f.values().length);
        b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(f.values());
        b.position(b.position() + f.values().length * 4).order(ByteOrder.BIG_ENDIAN);
        b.putInt(error.length).put(error);
        return Buffer.buffer(b.array());
    }

    static StageFrame decode(Buffer body) {
        ByteBuffer b = ByteBuffer.wrap(body.getBytes());
        StageFrame.Kind kind = StageFrame.Kind.values()[b.get()];
        long id = b.getLong();
        int chunkCount = b.getInt();
        List<StageChunk> chunks = new ArrayList<>(chunkCount);
        for (int i = 0; i < chunkCount; i++) {
            long sequence = b.getLong();
            int start = b.getInt();
            boolean allLogits = b.get() != 0;
            int[] tokens = new int[b.getInt()];
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = b.getInt();
            }
            chunks.add(new StageChunk(sequence, start, tokens, allLogits));
        }
        float[] values = new float[b.getInt()];
        b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        b.position(b.position() + values.length * 4).order(ByteOrder.BIG_ENDIAN);
        byte[] error = new byte[b.getInt()];
        b.get(error);
        return new StageFrame(kind, id, chunks, values, new String(error, StandardCharsets.UTF_8));
    }

    /** A parser that cuts a TCP byte stream into frames and hands each, decoded, to {@code handler}. */
    static RecordParser parser(Handler<StageFrame> handler) {
        RecordParser parser = RecordParser.newFixed(4);
        boolean[] readingLength = {true};
        parser.handler(record -> {
            if (readingLength[0]) {
                int length = record.getInt(0);
                if (length <= 0 || length > MAX_BODY) {
                    throw new IllegalStateException("bad frame length " + length);
                }
                parser.fixedSizeMode(length);
            } else {
                handler.handle(decode(record));
                parser.fixedSizeMode(4);
            }
            readingLength[0] = !readingLength[0];
        });
        return parser;
    }
}
