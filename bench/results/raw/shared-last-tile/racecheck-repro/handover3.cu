// handover2.cu at the shared-tile kernel's scale: two teams of 128 threads, 96 KiB of stages
// each (3 stages of 32 KiB filled by 16-byte cp.async, read with ld.shared.v4), team 1 runs
// half the k-tiles, then stores 32 x 16 bytes per thread of partial sums into its own stages
// with st.shared.v4, meets team 0 at barrier.sync 3 (count = blockDim.x) and exits; team 0
// adds the 32 x 16 bytes and writes out.
#include <cstdio>
#include <cuda_runtime.h>

#define STAGE_BYTES 32768
#define STAGES 3
#define TEAM_BYTES (STAGES * STAGE_BYTES)

__device__ __forceinline__ void bar_named(int id, int n) { asm volatile("bar.sync %0, %1;" ::"r"(id), "r"(n) : "memory"); }
__device__ __forceinline__ void barrier_unaligned(int id, int n) { asm volatile("barrier.sync %0, %1;" ::"r"(id), "r"(n) : "memory"); }
__device__ __forceinline__ float4 lds4(unsigned a) { float4 v; asm volatile("ld.shared.v4.f32 {%0,%1,%2,%3}, [%4];" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "r"(a) : "memory"); return v; }
__device__ __forceinline__ void sts4(unsigned a, float4 v) { asm volatile("st.shared.v4.f32 [%0], {%1,%2,%3,%4};" ::"r"(a), "f"(v.x), "f"(v.y), "f"(v.z), "f"(v.w) : "memory"); }

__global__ void handover(const float4* in, float* out, int k_tiles) {
    extern __shared__ float4 s[];
    int team = threadIdx.x / 128, t = threadIdx.x % 128;
    unsigned window = (unsigned)__cvta_generic_to_shared(s);
    unsigned base = window + team * TEAM_BYTES;
    float4 acc[32];
    for (int j = 0; j < 32; j++) acc[j] = make_float4(0, 0, 0, 0);
    int first = team * k_tiles / 2, last = (team + 1) * k_tiles / 2;
    for (int kt = first; kt < last; kt++) {
        unsigned stage = base + (kt % STAGES) * STAGE_BYTES;
        for (int c = 0; c < STAGE_BYTES / 16 / 128; c++) {  // 16 chunks per thread
            const float4* src = in + ((kt * 16 + c) * 128 + t) % (1 << 16);
            asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(stage + (c * 128 + t) * 16), "l"(src) : "memory");
        }
        asm volatile("cp.async.commit_group;" ::: "memory");
        asm volatile("cp.async.wait_group 0;" ::: "memory");
        bar_named(1 + team, 128);
        for (int j = 0; j < 32; j++) {
            float4 v = lds4(stage + ((j * 128 + (t + 1) % 128) % (STAGE_BYTES / 16)) * 16);
            acc[j].x += v.x; acc[j].y += v.y; acc[j].z += v.z; acc[j].w += v.w;
        }
        bar_named(1 + team, 128);
    }
    if (team == 1) {
        asm volatile("cp.async.wait_group 0;" ::: "memory");
        bar_named(2, 128);
        for (int j = 0; j < 32; j++) sts4(base + (j * 128 + t) * 16, acc[j]);
        barrier_unaligned(3, blockDim.x);
        return;
    }
    barrier_unaligned(3, blockDim.x);
    unsigned other = window + TEAM_BYTES;
    float sum = 0;
    for (int j = 0; j < 32; j++) {
        float4 v = lds4(other + (j * 128 + t) * 16);
        sum += acc[j].x + v.x + acc[j].y + v.y + acc[j].z + v.z + acc[j].w + v.w;
    }
    out[blockIdx.x * 128 + t] = sum;
}

int main(int argc, char** argv) {
    int launches = argc > 1 ? atoi(argv[1]) : 48;
    float4* in; float* out;
    cudaMalloc(&in, (1 << 16) * sizeof(float4));
    cudaMemset(in, 0, (1 << 16) * sizeof(float4));
    cudaMalloc(&out, 132 * 128 * sizeof(float));
    cudaFuncSetAttribute(handover, cudaFuncAttributeMaxDynamicSharedMemorySize, 2 * TEAM_BYTES);
    for (int l = 0; l < launches; l++) handover<<<1 + (l * 37) % 132, 256, 2 * TEAM_BYTES>>>(in, out, 2 + l % 30);
    cudaError_t e = cudaDeviceSynchronize();
    printf("%s\n", cudaGetErrorString(e));
    cudaFree(in); cudaFree(out);
    return e != cudaSuccess;
}
