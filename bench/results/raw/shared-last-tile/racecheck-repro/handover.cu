// Two teams of 128 threads per block, each with its own named barrier; at the end team 1
// hands its values to team 0 through shared memory and a 256-thread barrier that the two
// teams reach at different instructions, then exits while team 0 goes on.
#include <cstdio>
#include <cuda_runtime.h>

template <int MODE>  // 0: barrier.sync (unaligned) at two sites, 1: bar.sync at two sites, 2: one site
__global__ void handover(float* out, int iters) {
    extern __shared__ float s[];
    int team = threadIdx.x / 128, t = threadIdx.x % 128;
    float acc = 0.f;
    for (int i = 0; i < iters; i++) {
        s[team * 1024 + t] = i + t;
        asm volatile("bar.sync %0, 128;" ::"r"(1 + team) : "memory");
        acc += s[team * 1024 + (t + 1) % 128];
        asm volatile("bar.sync %0, 128;" ::"r"(1 + team) : "memory");
    }
    if (MODE == 2) {
        if (team == 1) s[2048 + t] = acc;
        asm volatile("barrier.sync 3, 256;" ::: "memory");
        if (team == 1) return;
        acc += s[2048 + t];
    } else if (team == 1) {
        s[2048 + t] = acc;
        if (MODE == 0) asm volatile("barrier.sync 3, 256;" ::: "memory");
        else asm volatile("bar.sync 3, 256;" ::: "memory");
        return;
    } else {
        if (MODE == 0) asm volatile("barrier.sync 3, 256;" ::: "memory");
        else asm volatile("bar.sync 3, 256;" ::: "memory");
        acc += s[2048 + t];
    }
    out[blockIdx.x * 128 + t] = acc;
}

int main(int argc, char** argv) {
    int mode = argc > 1 ? atoi(argv[1]) : 0, launches = argc > 2 ? atoi(argv[2]) : 64;
    float* out;
    cudaMalloc(&out, 132 * 128 * sizeof(float));
    for (int l = 0; l < launches; l++) {
        int blocks = 1 + l % 132;
        if (mode == 0) handover<0><<<blocks, 256, 12288>>>(out, 4);
        if (mode == 1) handover<1><<<blocks, 256, 12288>>>(out, 4);
        if (mode == 2) handover<2><<<blocks, 256, 12288>>>(out, 4);
    }
    cudaError_t e = cudaDeviceSynchronize();
    float h[128];
    cudaMemcpy(h, out, sizeof h, cudaMemcpyDeviceToHost);
    printf("mode %d: %s, out[5] = %g (expected %g)\n", mode, cudaGetErrorString(e), h[5], 2.0 * (0 + 1 + 2 + 3 + 4 * 6));
    cudaFree(out);
    return e != cudaSuccess;
}
