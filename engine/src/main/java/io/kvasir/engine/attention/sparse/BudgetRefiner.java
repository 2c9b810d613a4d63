package io.kvasir.engine.attention.sparse;

/**
 * Sparsity refinement (Qwen2.5-1M): raises a head's budgets step by step — each step doubles them — until its
 * measured recall reaches the target or the pattern can visit every key. Dense patterns need no refinement.
 */
final class BudgetRefiner {

    static final int MAX_STEPS = 12;

    /** The outcome: the refined pattern with its recall as score, and how many raises it took. */
    record Result(PatternSpec pattern, HeadRecall.Measurement measurement, int steps) {
    }

    private BudgetRefiner() {
    }

    static Result refine(PatternSpec start, HeadRecall head, double target) {
        PatternSpec p = start;
        HeadRecall.Measurement m = head.measure(p);
        int steps = 0;
        while (m.recall() < target && m.density() < 1 && steps < MAX_STEPS && !p.type().equals(PatternSpec.DENSE)) {
            p = raised(p);
            m = head.measure(p);
            steps++;
        }
        return new Result(p.with(p.vertical(), p.slash(), m.recall()), m, steps);
    }

    /** The next step's budgets: both doubled (A-shape: the sink kept, the local window doubled). */
    static PatternSpec raised(PatternSpec p) {
        return switch (p.type()) {
            case PatternSpec.A_SHAPE -> p.with(p.vertical(), Math.max(64, p.slash() * 2), p.score());
            case PatternSpec.BLOCK_SPARSE, PatternSpec.BLOCK_SPARSE_MEAN -> p.with(Math.max(1, p.vertical() * 2), p.slash(), p.score());
            default -> p.with(Math.max(VerticalSlashEstimator.MIN_VERTICALS, p.vertical()) * 2,
                    Math.max(VerticalSlashEstimator.MIN_SLASHES, p.slash()) * 2, p.score());
        };
    }
}
