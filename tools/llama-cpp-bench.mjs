// Measures llama.cpp (through node-llama-cpp, CPU, default F16 KV cache) on a GGUF model the same way
// `kvasir bench compare` measures the engine: one prompt of N tokens evaluated as a batch (prompt tokens/s),
// then G greedy decode steps (decode tokens/s); each phase repeated R times after one warm-up round.
// Each step's input is fed back to the generator as a fixed id rather than the sampled one: a random model's
// greedy choice can be an end-of-generation token, which would end the generator early and skew the rate.
// Usage: node llama-cpp-bench.mjs --model F.gguf --prompt-tokens 512 --generate 64 --repeats 3 --threads 2
// Prints one JSON object: {"prompt_tokens_per_s":[...],"decode_tokens_per_s":[...]} (one entry per repeat).
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const promptTokens = Number(args["prompt-tokens"] ?? 512);
const generate = Number(args.generate ?? 64);
const repeats = Number(args.repeats ?? 3);
const threads = Number(args.threads ?? 2);

const npmDir = process.env.KVASIR_NPM_DIR;
if (!npmDir) throw new Error("KVASIR_NPM_DIR is not set");
const { getLlama } = await import(
    pathToFileURL(path.join(npmDir, "node_modules", "node-llama-cpp", "dist", "index.js")).href);

const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath: args.model, gpuLayers: 0 });
const context = await model.createContext({
    contextSize: promptTokens + generate + 16, batchSize: promptTokens, threads, flashAttention: false });
const sequence = context.getSequence();
const vocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
// Fixed pseudo-random prompt ids (a plain LCG): the same prompt the engine gets.
const prompt = [];
let state = 12345;
for (let i = 0; i < promptTokens; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    prompt.push(256 + state % (vocab - 512));
}

const promptRates = [], decodeRates = [];
for (let r = 0; r < repeats + 1; r++) {                 // the first round warms up and is not reported
    await sequence.clearHistory();
    let t0 = process.hrtime.bigint();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt);
    const promptSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    const steps = sequence.evaluate([prompt[0]], { temperature: 0 });
    for (let i = 0; i < generate; i++) {
        const step = await (i === 0 ? steps.next() : steps.next(prompt[i]));
        if (step.done) throw new Error(`llama.cpp stopped generating after ${i} tokens`);
    }
    await steps.return();
    const decodeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r > 0) {
        promptRates.push(promptTokens / promptSeconds);
        decodeRates.push(generate / decodeSeconds);
    }
}
process.stdout.write(JSON.stringify({ prompt_tokens_per_s: promptRates, decode_tokens_per_s: decodeRates }) + "\n");
await context.dispose();
await model.dispose();
