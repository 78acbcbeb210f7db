// Which SM each block of a grid lands on, for the launch shapes of the 128x128 mma.sync kernels.
#include <cstdio>
#include <cuda_runtime.h>
__global__ void where(unsigned *sm, unsigned long long *t) {
  extern __shared__ char s[];
  if (threadIdx.x == 0) {
    unsigned id; asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
    unsigned long long g; asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(g));
    sm[blockIdx.x] = id; t[blockIdx.x] = g; s[0] = 1;
  }
  // Hold the SM long enough that every block of the grid is resident at once.
  unsigned long long g0; asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(g0));
  for (;;) { unsigned long long g; asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(g)); if (g - g0 > 200000) break; }
}
int main() {
  struct { int blocks, threads, smem; const char *name; } cfg[] = {
    {132, 256, 193 * 1024, "two-team blocks (256 threads, 193 KiB)"},
    {264, 128, 97 * 1024, "one-team blocks (128 threads, 97 KiB)"},
  };
  unsigned *sm; unsigned long long *t;
  cudaMallocManaged(&sm, 1024 * 4); cudaMallocManaged(&t, 1024 * 8);
  for (auto &c : cfg) {
    cudaFuncSetAttribute(where, cudaFuncAttributeMaxDynamicSharedMemorySize, c.smem);
    for (int rep = 0; rep < 2; rep++) {
      where<<<c.blocks, c.threads, c.smem>>>(sm, t);
      if (cudaDeviceSynchronize() != cudaSuccess) { printf("launch failed\n"); return 1; }
      unsigned long long t0 = ~0ull; for (int b = 0; b < c.blocks; b++) if (t[b] < t0) t0 = t[b];
      printf("%s, run %d: block:sm(+start ns)\n", c.name, rep);
      for (int b = 0; b < c.blocks; b++) printf("%d:%u(+%llu)%s", b, sm[b], t[b] - t0, (b % 12 == 11) ? "\n" : " ");
      printf("\n");
    }
  }
  return 0;
}
