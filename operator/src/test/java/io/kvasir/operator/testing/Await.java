package io.kvasir.operator.testing;

import java.util.function.BooleanSupplier;

/** Polls for something the operator does on its own threads; fails with the description after a deadline. */
public final class Await {
    private static final long TIMEOUT_MILLIS = 30_000;

    private Await() {
    }

    public static void until(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}
