package io.kvasir.engine.moe;

/** How far ahead an expert is next requested from one layer's cache, as far as the schedule is known. */
@FunctionalInterface
interface NextUse {

    long NEVER = Long.MAX_VALUE;

    /** Requests until {@code expert} is wanted again (0 = the next one), or {@link #NEVER} if not in sight. */
    long distance(int expert);
}
