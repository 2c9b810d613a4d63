package io.kvasir.engine.bench;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;

/**
 * Wraps a method's planner and looks at the plan it gives the query block holding the question (the prompt's last
 * token): in how many heads it includes the asked needle's key position, and how many keys it visits. The needle
 * model has one layer, so that block's plan alone decides the answer; a failure is explained by reading it, not by
 * guessing. A chunk the planner is not asked about (DCA below its sparse threshold) or a null plan is dense.
 */
final class QuestionPlanProbe implements AttentionPlanner {

    /** @param needleHeads heads whose plan for the question's block includes the needle; {@code keys} mean keys per head */
    record Finding(int needleHeads, int heads, double keys) {
    }

    private final AttentionPlanner inner;
    private final int question;
    private final int needle;
    private final int heads;
    private Finding finding;

    QuestionPlanProbe(AttentionPlanner inner, int question, int needle, int heads) {
        this.inner = inner;
        this.question = question;
        this.needle = needle;
        this.heads = heads;
    }

    @Override
    public AttentionPlan plan(int layer, AttentionInputs in) {
        AttentionPlan plan = inner.plan(layer, in);
        if (layer == 0 && in.firstPosition() <= question && question <= in.lastPosition()) {
            finding = inspect(plan, in);
        }
        return plan;
    }

    /** What the question's block was given; dense when the planner never saw the question's chunk. */
    Finding finding() {
        return finding != null ? finding : new Finding(heads, heads, question + 1);
    }

    private Finding inspect(AttentionPlan plan, AttentionInputs in) {
        int first = in.firstPosition() + (question - in.firstPosition()) / PagedAttention.QUERY_BLOCK * PagedAttention.QUERY_BLOCK;
        int last = Math.min(in.lastPosition(), first + PagedAttention.QUERY_BLOCK - 1);
        int seen = 0;
        long keys = 0;
        for (int h = 0; h < in.numHeads(); h++) {
            KeySpans spans = (plan != null ? plan : AttentionPlan.dense(0)).spans(h, first, last).within(0, question + 1);
            seen += contains(spans, needle) ? 1 : 0;
            keys += count(spans);
        }
        return new Finding(seen, in.numHeads(), (double) keys / in.numHeads());
    }

    static boolean contains(KeySpans spans, int position) {
        for (int i = 0; i < spans.starts().length; i++) {
            if (spans.starts()[i] <= position && position < spans.ends()[i]) {
                return true;
            }
        }
        for (int c : spans.extraColumns()) {
            if (c == position) {
                return true;
            }
        }
        return false;
    }

    /** Keys named, counting a column inside a range once. */
    private static long count(KeySpans spans) {
        long n = 0;
        for (int i = 0; i < spans.starts().length; i++) {
            n += spans.ends()[i] - spans.starts()[i];
        }
        for (int c : spans.extraColumns()) {
            boolean inRange = false;
            for (int i = 0; i < spans.starts().length && !inRange; i++) {
                inRange = spans.starts()[i] <= c && c < spans.ends()[i];
            }
            n += inRange ? 0 : 1;
        }
        return n;
    }
}
