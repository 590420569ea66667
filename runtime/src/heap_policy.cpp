#include "coda/heap_policy.h"

#include <cstdlib>  // defines __GLIBC__ on glibc systems
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace coda {

// A batch's tensors are megabytes each (64 images of 32x32 maps with 32
// channels: 8 MB), as are Halide's intermediates. glibc serves blocks that
// large with fresh mmaps and unmaps them on free, so every pass page-faulted
// all of its outputs and intermediates in again: layer_forward of L1 at batch
// 64 ran at 84-97 GFLOP/s this way, 164-167 with blocks taken from the heap
// and kept there after free for the next call (benchmarks/layer_benchmark;
// the whole model's peak memory did not change). The heap still returns
// memory above 1 GB of free space at its top.
void keep_large_blocks_on_the_heap() {
#ifdef __GLIBC__
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace coda
