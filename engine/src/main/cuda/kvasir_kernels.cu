// Kvasir's GPU kernels. Each has a CPU twin in the engine (see io.kvasir.engine.gpu) and a test comparing them.
// Compiled to PTX (compute_90, JIT-able by newer drivers) and a sm_90 cubin by build-kernels.sh; all entry points
// are extern "C" so the Java side finds them by their plain names.
#include <cuda_bf16.h>
#include <mma.h>
#include <stdint.h>

using namespace nvcuda;

// ---------------------------------------------------------------------------------------------------------------
// Matmul: out[t][r] = sum_c in[t][c] * W[r][c], W in BF16 (HF layout rows = out features), activations F32.
// Tensor cores (WMMA 16x16x16, bf16 inputs, f32 accumulate): each activation is rounded to bf16 when it is staged
// into shared memory, so every product carries a relative error of at most 2^-9 from that rounding; products and
// sums are exact-to-f32. A block computes a 64 (tokens) x 64 (rows) tile with 4 warps of 32x32 each.
// ---------------------------------------------------------------------------------------------------------------
#define MM_TILE 64
#define MM_K 32
#define MM_LD (MM_K + 8)        // bf16 row stride: a multiple of 8 elements (WMMA) that staggers banks
#define MM_LDC (MM_TILE + 4)    // f32 row stride of the output staging tile

extern "C" __global__ void matmul_bf16(const __nv_bfloat16* __restrict__ w, const float* __restrict__ in,
                                       float* __restrict__ out, int tokens, int rows, int cols) {
    __shared__ __align__(32) __nv_bfloat16 a[MM_TILE * MM_LD];   // activations [token][k]
    __shared__ __align__(32) __nv_bfloat16 b[MM_TILE * MM_LD];   // weights [row][k] = col-major B
    __shared__ __align__(32) float c[MM_TILE * MM_LDC];
    int t0 = blockIdx.y * MM_TILE;
    int r0 = blockIdx.x * MM_TILE;
    int warp = threadIdx.x / 32;
    int wm = (warp / 2) * 32;   // this warp's token offset in the tile
    int wn = (warp % 2) * 32;   // this warp's row offset in the tile

    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[i][j], 0.0f);

    for (int k0 = 0; k0 < cols; k0 += MM_K) {
        // 128 threads stage 64x32 elements of each operand; out-of-range elements are zero so they add nothing.
        for (int i = threadIdx.x; i < MM_TILE * MM_K; i += blockDim.x) {
            int row = i / MM_K, k = i % MM_K;
            int t = t0 + row, r = r0 + row, kk = k0 + k;
            a[row * MM_LD + k] = __float2bfloat16_rn(t < tokens && kk < cols ? in[(long) t * cols + kk] : 0.0f);
            b[row * MM_LD + k] = r < rows && kk < cols ? w[(long) r * cols + kk] : __float2bfloat16_rn(0.0f);
        }
        __syncthreads();
        for (int kk = 0; kk < MM_K; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> fa[2];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::col_major> fb[2];
            for (int i = 0; i < 2; i++) wmma::load_matrix_sync(fa[i], a + (wm + 16 * i) * MM_LD + kk, MM_LD);
            for (int j = 0; j < 2; j++) wmma::load_matrix_sync(fb[j], b + (wn + 16 * j) * MM_LD + kk, MM_LD);
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
        }
        __syncthreads();
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            wmma::store_matrix_sync(c + (wm + 16 * i) * MM_LDC + wn + 16 * j, acc[i][j], MM_LDC, wmma::mem_row_major);
    __syncthreads();
    for (int i = threadIdx.x; i < MM_TILE * MM_TILE; i += blockDim.x) {
        int t = t0 + i / MM_TILE, r = r0 + i % MM_TILE;
        if (t < tokens && r < rows) out[(long) t * rows + r] = c[(i / MM_TILE) * MM_LDC + i % MM_TILE];
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Element-wise kernels.
// ---------------------------------------------------------------------------------------------------------------

// out = x / sqrt(mean(x^2) + eps) * weight, one block per token row of n elements; the sum of squares is reduced
// in double, as the CPU twin finishes it in double.
extern "C" __global__ void rms_norm(const float* __restrict__ x, const float* __restrict__ weight, float eps,
                                    float* __restrict__ out, int n) {
    __shared__ double partial[32];
    const float* row = x + (long) blockIdx.x * n;
    double ss = 0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) ss += (double) row[i] * row[i];
    for (int o = 16; o > 0; o /= 2) ss += __shfl_down_sync(0xffffffff, ss, o);
    if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = ss;
    __syncthreads();
    if (threadIdx.x == 0) {
        double total = 0;
        for (int i = 0; i < blockDim.x / 32; i++) total += partial[i];
        partial[0] = total;
    }
    __syncthreads();
    float inv = (float) (1.0 / sqrt(partial[0] / n + eps));
    for (int i = threadIdx.x; i < n; i += blockDim.x) out[(long) blockIdx.x * n + i] = row[i] * inv * weight[i];
}

// out = silu(gate) * up, silu(g) = g / (1 + e^-g).
extern "C" __global__ void swiglu(const float* __restrict__ gate, const float* __restrict__ up,
                                  float* __restrict__ out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

// Rotate-halves RoPE in place: x is [token][head][headDim], element i pairs with i + headDim/2. The angle
// position * invFreq[i] is formed and its cos/sin taken in double: at positions near 10^5 an f32 angle would be off
// by ~10^-2 rad. `scale` is the YaRN attention temperature folded into cos and sin (1 otherwise).
extern "C" __global__ void rope(float* __restrict__ x, const int* __restrict__ positions,
                                const double* __restrict__ invFreq, double scale, int heads, int headDim) {
    int half = headDim / 2;
    int token = blockIdx.x;
    double pos = positions[token];
    for (int idx = threadIdx.x; idx < heads * half; idx += blockDim.x) {
        int h = idx / half, i = idx % half;
        double s, c;
        sincos(pos * invFreq[i], &s, &c);
        float cs = (float) (c * scale), sn = (float) (s * scale);
        float* base = x + ((long) token * heads + h) * headDim;
        float x0 = base[i], x1 = base[i + half];
        base[i] = x0 * cs - x1 * sn;
        base[i + half] = x1 * cs + x0 * sn;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Paged attention: the GPU twin of PagedAttention. One block computes one query head for one 64-row query block,
// executing that (head, query block)'s plan: key ranges [start, end) and extra key columns, both in CSR form
// (entry p = head * queryBlocks + queryBlock owns spans spanOffsets[p]..spanOffsets[p+1] and extra columns
// extraOffsets[p]..extraOffsets[p+1]). Keys are gathered into 64-slot tiles: a range contributes the slots of one
// KV block at a time, extra columns are packed 64 to a tile, so a sparse vertical line costs one slot, not a block.
// Per row the causal mask and the sliding window are applied to each slot's key position; the softmax is online
// (running max and sum per row), in f32 like the CPU kernel.
// K and V are F32 [physicalBlock][kvHead][64][headDim]; q and out are [row][head][headDim]; one entry point per
// head dim (32, 64, 96, 128). 8 warps; warp w owns rows w, w + 8, ...; lane l owns output dims l, l + 32, ...
// Two blocks per SM (the launch bound caps registers at 128) so one block's tile loads overlap the other's math.
// ---------------------------------------------------------------------------------------------------------------
#define ATT_BLOCK 64
#define ATT_WARPS 8
#define ATT_ROWS_PER_WARP (ATT_BLOCK / ATT_WARPS)

struct AttentionShape {
    int numHeads, groupSize, numKvHeads;
    int queries, firstPosition, window, queryBlocks;
    float scale;
};

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, o));
    return v;
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffff, v, o);
    return v;
}

// Consumes the tile whose slot positions are in slotPos (-1 = empty): stages K and V, then updates every row.
template <int D>
__device__ __forceinline__ void attend_tile(const AttentionShape& s, const float* __restrict__ k, const float* __restrict__ v,
                            const int* __restrict__ blockTable, int kvHead, int rows, int firstPos,
                            const int* slotPos, const float* qs, float* ks, float* vs,
                            float (&m)[ATT_ROWS_PER_WARP], float (&l)[ATT_ROWS_PER_WARP],
                            float (&acc)[ATT_ROWS_PER_WARP][D / 32]) {
    constexpr int d = D, d4 = D / 4, kStride = D + 4, chunks = D / 32;
    __syncthreads();   // slotPos is written; the previous tile's K and V are no longer read
    for (int i = threadIdx.x; i < ATT_BLOCK * d4; i += blockDim.x) {
        int slot = i / d4, c = (i % d4) * 4;
        int pos = slotPos[slot];
        float4 kv4 = make_float4(0, 0, 0, 0), vv4 = make_float4(0, 0, 0, 0);
        if (pos >= 0) {
            long at = (((long) blockTable[pos / ATT_BLOCK] * s.numKvHeads + kvHead) * ATT_BLOCK + pos % ATT_BLOCK) * d + c;
            kv4 = *reinterpret_cast<const float4*>(k + at);
            vv4 = *reinterpret_cast<const float4*>(v + at);
        }
        *reinterpret_cast<float4*>(ks + slot * kStride + c) = kv4;
        *reinterpret_cast<float4*>(vs + slot * d + c) = vv4;
    }
    __syncthreads();
    int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    int p0 = slotPos[lane], p1 = slotPos[lane + 32];
    #pragma unroll
    for (int i = 0; i < ATT_ROWS_PER_WARP; i++) {
        int r = warp + i * ATT_WARPS;
        if (r >= rows) break;
        int pos = firstPos + r;
        int lo = s.window > 0 ? pos - s.window + 1 : 0;
        bool valid0 = p0 >= 0 && p0 <= pos && p0 >= lo;
        bool valid1 = p1 >= 0 && p1 <= pos && p1 >= lo;
        const float4* q4 = reinterpret_cast<const float4*>(qs + r * kStride);
        const float4* k0 = reinterpret_cast<const float4*>(ks + lane * kStride);
        const float4* k1 = reinterpret_cast<const float4*>(ks + (lane + 32) * kStride);
        float s0 = 0, s1 = 0;
        _Pragma("unroll") for (int c = 0; c < d4; c++) {
            float4 q = q4[c], a = k0[c], b = k1[c];
            s0 += q.x * a.x + q.y * a.y + q.z * a.z + q.w * a.w;
            s1 += q.x * b.x + q.y * b.y + q.z * b.z + q.w * b.w;
        }
        s0 = valid0 ? s0 * s.scale : -INFINITY;
        s1 = valid1 ? s1 * s.scale : -INFINITY;
        float tileMax = warp_max(fmaxf(s0, s1));
        if (tileMax == -INFINITY) continue;   // no key of this tile is visible to this row
        float newMax = fmaxf(m[i], tileMax);
        if (newMax > m[i] && l[i] > 0) {
            float correction = expf(m[i] - newMax);
            l[i] *= correction;
            _Pragma("unroll") for (int ch = 0; ch < chunks; ch++) acc[i][ch] *= correction;
        }
        m[i] = newMax;
        float e0 = valid0 ? expf(s0 - newMax) : 0.0f;
        float e1 = valid1 ? expf(s1 - newMax) : 0.0f;
        l[i] += warp_sum(e0 + e1);
        _Pragma("unroll 4") for (int j = 0; j < 32; j++) {
            float pa = __shfl_sync(0xffffffff, e0, j);
            float pb = __shfl_sync(0xffffffff, e1, j);
            _Pragma("unroll") for (int ch = 0; ch < chunks; ch++) {
                acc[i][ch] += pa * vs[j * d + ch * 32 + lane] + pb * vs[(j + 32) * d + ch * 32 + lane];
            }
        }
    }
}

template <int D>
__device__ __forceinline__ void paged_attention_body(
        const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v,
        const int* __restrict__ blockTable, const int* __restrict__ spanOffsets, const int* __restrict__ spanStarts,
        const int* __restrict__ spanEnds, const int* __restrict__ extraOffsets, const int* __restrict__ extraColumns,
        float* __restrict__ out, float* __restrict__ lse,
        int numHeads, int numKvHeads, int queries, int firstPosition, int window, float scale) {
    AttentionShape s = {numHeads, numHeads / numKvHeads, numKvHeads,
                        queries, firstPosition, window, (int) gridDim.x, scale};
    extern __shared__ __align__(16) float smem[];
    __shared__ int slotPos[ATT_BLOCK];
    constexpr int d = D, kStride = D + 4, chunks = D / 32;
    float* qs = smem;                        // [64][d + 4]: the padding makes lanes' float4 rows hit distinct banks
    float* ks = qs + ATT_BLOCK * kStride;    // [64][d + 4]
    float* vs = ks + ATT_BLOCK * kStride;    // [64][d]
    int qb = blockIdx.x, head = blockIdx.y;
    int kvHead = head / s.groupSize;
    int rowStart = qb * ATT_BLOCK;
    int rows = min(ATT_BLOCK, s.queries - rowStart);
    int firstPos = s.firstPosition + rowStart;
    int lastPos = firstPos + rows - 1;
    for (int i = threadIdx.x; i < ATT_BLOCK * d; i += blockDim.x) {
        int r = i / d, c = i % d;
        qs[r * kStride + c] = r < rows ? q[((long) (rowStart + r) * s.numHeads + head) * d + c] : 0.0f;
    }
    float m[ATT_ROWS_PER_WARP], l[ATT_ROWS_PER_WARP], acc[ATT_ROWS_PER_WARP][chunks];
    #pragma unroll
    for (int i = 0; i < ATT_ROWS_PER_WARP; i++) {
        m[i] = -INFINITY;
        l[i] = 0;
        _Pragma("unroll") for (int ch = 0; ch < chunks; ch++) acc[i][ch] = 0;
    }
    long p = (long) head * s.queryBlocks + qb;
    for (int sp = spanOffsets[p]; sp < spanOffsets[p + 1]; sp++) {
        int start = max(0, spanStarts[sp]);
        int end = min(spanEnds[sp], lastPos + 1);
        for (int blockStart = start - start % ATT_BLOCK; blockStart < end; blockStart += ATT_BLOCK) {
            __syncthreads();   // every warp is done with the previous tile's slotPos
            if (threadIdx.x < ATT_BLOCK) {
                int pos = blockStart + threadIdx.x;
                slotPos[threadIdx.x] = pos >= start && pos < end ? pos : -1;
            }
            attend_tile<D>(s, k, v, blockTable, kvHead, rows, firstPos, slotPos, qs, ks, vs, m, l, acc);
        }
    }
    int extraEnd = extraOffsets[p + 1];
    for (int e0 = extraOffsets[p]; e0 < extraEnd; e0 += ATT_BLOCK) {
        __syncthreads();
        if (threadIdx.x < ATT_BLOCK) {
            int e = e0 + threadIdx.x;
            int column = e < extraEnd ? extraColumns[e] : -1;
            slotPos[threadIdx.x] = column >= 0 && column <= lastPos ? column : -1;
        }
        attend_tile<D>(s, k, v, blockTable, kvHead, rows, firstPos, slotPos, qs, ks, vs, m, l, acc);
    }
    int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    #pragma unroll
    for (int i = 0; i < ATT_ROWS_PER_WARP; i++) {
        int r = warp + i * ATT_WARPS;
        if (r >= rows) break;
        float inv = l[i] > 0 ? 1.0f / l[i] : 0.0f;
        float* o = out + ((long) (rowStart + r) * s.numHeads + head) * d;
        _Pragma("unroll") for (int ch = 0; ch < chunks; ch++) o[ch * 32 + lane] = acc[i][ch] * inv;
        if (lse != nullptr && lane == 0) {
            lse[(long) (rowStart + r) * s.numHeads + head] = l[i] > 0 ? m[i] + logf(l[i]) : -INFINITY;
        }
    }
}

// One entry point per supported head dim, so loops over the head dim unroll and the accumulators fit registers.
#define PAGED_ATTENTION(D)                                                                                           \
    extern "C" __global__ void __launch_bounds__(ATT_WARPS * 32, 2) paged_attention_hd##D(                            \
            const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v,                   \
            const int* __restrict__ blockTable, const int* __restrict__ spanOffsets,                                 \
            const int* __restrict__ spanStarts, const int* __restrict__ spanEnds,                                    \
            const int* __restrict__ extraOffsets, const int* __restrict__ extraColumns,                              \
            float* __restrict__ out, float* __restrict__ lse,                                                        \
            int numHeads, int numKvHeads, int queries, int firstPosition, int window, float scale) {                \
        paged_attention_body<D>(q, k, v, blockTable, spanOffsets, spanStarts, spanEnds, extraOffsets, extraColumns, \
                                out, lse, numHeads, numKvHeads, queries, firstPosition, window, scale);              \
    }
PAGED_ATTENTION(32)
PAGED_ATTENTION(64)
PAGED_ATTENTION(96)
PAGED_ATTENTION(128)
