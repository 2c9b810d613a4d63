// Runs llama.cpp (through node-llama-cpp) on a GGUF model as an independent reference for the engine.
//
// Request: arguments `--model PATH --tokens 1,2,3 --steps N --context N`, or the same as JSON on stdin
// ({"model", "tokens", "steps", "contextSize"}) when no arguments are given.
// Output (stdout, one JSON object):
//   promptLogprobs[i]  log-softmax over the whole vocabulary of the token after prompt position i
//   greedyTokens[k]    the k-th greedily generated token
//   greedyLogprobs[k]  the log-softmax greedyTokens[k] was chosen from (so greedyLogprobs[0] repeats the
//                      last prompt position)
// node-llama-cpp is imported from $KVASIR_NPM_DIR/node_modules (see tools/install-llama-cpp.sh).
// F32 KV cache and no flash attention keep llama.cpp's own rounding small (about 3e-6 in log-probability
// against a float64 forward pass), so differences above that point at the model, not the reference.
import path from "node:path";
import { pathToFileURL } from "node:url";

function parseRequest(argv, stdinText) {
    if (argv.length === 0) {
        const r = JSON.parse(stdinText);
        return { model: r.model, tokens: r.tokens, steps: r.steps ?? 0, contextSize: r.contextSize ?? 512 };
    }
    const opts = {};
    for (let i = 0; i < argv.length; i += 2) {
        opts[argv[i].replace(/^--/, "")] = argv[i + 1];
    }
    return {
        model: opts.model,
        tokens: opts.tokens.split(",").map(Number),
        steps: Number(opts.steps ?? 0),
        contextSize: Number(opts.context ?? 512)
    };
}

async function readStdin() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
}

// The sampler hands back the softmax of the candidate logits; with temperature 0 (greedy, no top-k) the
// candidates are the whole vocabulary. Anything less would make the comparison meaningless, so refuse it.
function logSoftmax(probabilities, vocabSize) {
    if (probabilities.size !== vocabSize) {
        throw new Error(`expected probabilities for all ${vocabSize} tokens, got ${probabilities.size}`);
    }
    const out = new Array(vocabSize);
    for (const [token, p] of probabilities) out[token] = Math.log(p);
    return out;
}

const request = parseRequest(process.argv.slice(2), process.argv.length > 2 ? "" : await readStdin());
const npmDir = process.env.KVASIR_NPM_DIR;
if (!npmDir) throw new Error("KVASIR_NPM_DIR is not set");
const { getLlama } = await import(
    pathToFileURL(path.join(npmDir, "node_modules", "node-llama-cpp", "dist", "index.js")).href);

const llama = await getLlama({
    gpu: false,
    build: "never",
    logger: (level, message) => process.stderr.write(`[llama.cpp ${level}] ${message}\n`)
});
const model = await llama.loadModel({ modelPath: request.model, gpuLayers: 0 });
const context = await model.createContext({
    contextSize: request.contextSize,
    threads: 2,
    flashAttention: false,
    experimentalKvCacheKeyType: "F32",
    experimentalKvCacheValueType: "F32"
});
const sequence = context.getSequence();
const vocabSize = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length;
if (!Number.isInteger(vocabSize)) throw new Error("the model has no tokenizer.ggml.tokens list");

const evaluated = await sequence.controlledEvaluate(request.tokens.map(t =>
    [t, { generateNext: { probabilities: true, token: true, options: { temperature: 0 } } }]));
const promptLogprobs = evaluated.map((item, i) => {
    if (item?.next?.probabilities == null) throw new Error(`no probabilities for prompt position ${i}`);
    return logSoftmax(item.next.probabilities, vocabSize);
});

const greedyTokens = [];
const greedyLogprobs = [];
if (request.steps > 0) {
    await sequence.clearHistory();
    const generator = sequence.evaluateWithMetadata(request.tokens, { probabilities: true },
        { temperature: 0, yieldEogToken: true });
    for await (const { token, probabilities } of generator) {
        greedyTokens.push(token);
        greedyLogprobs.push(logSoftmax(probabilities, vocabSize));
        if (greedyTokens.length >= request.steps) break;
    }
}

process.stdout.write(JSON.stringify({ promptLogprobs, greedyTokens, greedyLogprobs }) + "\n");
await context.dispose();
await model.dispose();
await llama.dispose();
