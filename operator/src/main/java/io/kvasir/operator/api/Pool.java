package io.kvasir.operator.api;

/** The operator's workloads; {@link #key()} names them in status and {@link #component()} in resource names. */
public enum Pool {
    GATEWAY("gateway", "gateway"),
    PREFILL("prefill", "prefill"),
    DECODE("decode", "decode"),
    KV_STORE("kvStore", "kv-store");

    private final String key;
    private final String component;

    Pool(String key, String component) {
        this.key = key;
        this.component = component;
    }

    public String key() {
        return key;
    }

    public String component() {
        return component;
    }
}
