// Which blocks of a 2-per-SM grid share an SM: records %smid per block.
#include <cstdio>
#include <vector>
#include <map>
__global__ void __launch_bounds__(128, 2) probe(int* sm, unsigned long long spin_ns) {
  extern __shared__ char smem[];
  if (threadIdx.x == 0) {
    int id; asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
    sm[blockIdx.x] = id;
    unsigned long long t0; asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
    unsigned long long t = t0;
    while (t - t0 < spin_ns) asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    smem[0] = (char)id;
  }
}
int main() {
  int grid = 264, smem = 98304;
  cudaFuncSetAttribute(probe, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  int* d; cudaMalloc(&d, grid * sizeof(int));
  std::vector<int> h(grid);
  for (int run = 0; run < 6; ++run) {
    // runs 0-2: one launch after a sync; runs 3-5: the last of 4 back-to-back launches
    int n = run < 3 ? 1 : 4;
    cudaDeviceSynchronize();
    for (int i = 0; i < n; ++i) probe<<<grid, 128, smem>>>(d, 20000);
    cudaMemcpy(h.data(), d, grid * sizeof(int), cudaMemcpyDeviceToHost);
    std::map<int, std::vector<int>> by;
    for (int b = 0; b < grid; ++b) by[h[b]].push_back(b);
    int single = 0;
    std::map<int,int> diffs;
    for (auto& [s, bs] : by) {
      if (bs.size() != 2) { single++; continue; }
      int df = bs[1] - bs[0]; diffs[df]++;
    }
    printf("run %d (%s): %zu SMs used, %d SMs without exactly two blocks; pair distances:", run,
           n == 1 ? "fresh" : "4th back-to-back", by.size(), single);
    for (auto& [df, c] : diffs) printf(" %d:%d", df, c);
    printf("\n  blocks 0..23 on SMs:");
    for (int b = 0; b < 24; ++b) printf(" %d", h[b]);
    printf("\n");
  }
  return 0;
}
