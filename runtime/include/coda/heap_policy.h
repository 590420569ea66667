// How the process heap treats the large blocks of batch tensors.
#pragma once

namespace coda {

// The runtime calls it once before its first pipeline (see heap_policy.cpp
// for why); the JIT tools too, so that their timings see the same heap.
void keep_large_blocks_on_the_heap();

}  // namespace coda
