package io.kvasir.kvstore.handoff;

import java.util.Arrays;
import java.util.List;

/** {@code --name value} options of the worker and member mains. */
public record WorkerArgs(String[] args) {

    public String text(String name, String fallback) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                return args[i + 1];
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException("missing option " + name);
        }
        return fallback;
    }

    public int integer(String name, int fallback) {
        return Integer.parseInt(text(name, Integer.toString(fallback)));
    }

    public List<String> list(String name, String fallback) {
        return Arrays.asList(text(name, fallback).split(","));
    }
}
