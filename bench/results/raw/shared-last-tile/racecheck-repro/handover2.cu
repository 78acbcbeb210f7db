// As handover.cu, closer to the shared-tile kernel: the hand-over barrier's thread count comes
// from a register (blockDim.x), the partial sums move through st/ld.shared.v4, the teams load
// their stages with cp.async first, and team 1 runs fewer iterations than team 0.
#include <cstdio>
#include <cuda_runtime.h>

__device__ __forceinline__ void bar_named(int id, int n) { asm volatile("bar.sync %0, %1;" ::"r"(id), "r"(n) : "memory"); }
__device__ __forceinline__ void barrier_unaligned(int id, int n) { asm volatile("barrier.sync %0, %1;" ::"r"(id), "r"(n) : "memory"); }

__global__ void handover(const float4* in, float* out, int iters) {
    extern __shared__ float4 s[];
    int team = threadIdx.x / 128, t = threadIdx.x % 128;
    unsigned base = (unsigned)__cvta_generic_to_shared(s) + team * 3 * 128 * 16;
    float4 acc = make_float4(0, 0, 0, 0);
    int my_iters = team == 0 ? iters : iters / 2;
    for (int i = 0; i < my_iters; i++) {
        unsigned dst = base + (i % 3) * 128 * 16 + t * 16;
        const float4* src = in + (blockIdx.x * 256 + threadIdx.x);
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(dst), "l"(src) : "memory");
        asm volatile("cp.async.commit_group;" ::: "memory");
        asm volatile("cp.async.wait_group 0;" ::: "memory");
        bar_named(1 + team, 128);
        float4 v;
        unsigned rd = base + (i % 3) * 128 * 16 + ((t + 1) % 128) * 16;
        asm volatile("ld.shared.v4.f32 {%0,%1,%2,%3}, [%4];" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "r"(rd) : "memory");
        acc.x += v.x; acc.y += v.y; acc.z += v.z; acc.w += v.w;
        bar_named(1 + team, 128);
    }
    unsigned part = (unsigned)__cvta_generic_to_shared(s) + 3 * 128 * 16 + t * 16;  // team 1's stages
    if (team == 1) {
        asm volatile("cp.async.wait_group 0;" ::: "memory");
        bar_named(2, 128);
        asm volatile("st.shared.v4.f32 [%0], {%1,%2,%3,%4};" ::"r"(part), "f"(acc.x), "f"(acc.y), "f"(acc.z), "f"(acc.w) : "memory");
        barrier_unaligned(3, blockDim.x);
        return;
    }
    barrier_unaligned(3, blockDim.x);
    float4 v;
    asm volatile("ld.shared.v4.f32 {%0,%1,%2,%3}, [%4];" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "r"(part) : "memory");
    out[blockIdx.x * 128 + t] = acc.x + v.x + acc.y + v.y + acc.z + v.z + acc.w + v.w;
}

int main(int argc, char** argv) {
    int launches = argc > 1 ? atoi(argv[1]) : 64;
    float4* in; float* out;
    cudaMalloc(&in, 132 * 256 * sizeof(float4));
    cudaMemset(in, 0, 132 * 256 * sizeof(float4));
    cudaMalloc(&out, 132 * 128 * sizeof(float));
    cudaFuncSetAttribute(handover, cudaFuncAttributeMaxDynamicSharedMemorySize, 6 * 128 * 16);
    for (int l = 0; l < launches; l++) handover<<<1 + l % 132, 256, 6 * 128 * 16>>>(in, out, 2 + l % 40);
    cudaError_t e = cudaDeviceSynchronize();
    printf("%s\n", cudaGetErrorString(e));
    cudaFree(in); cudaFree(out);
    return e != cudaSuccess;
}
