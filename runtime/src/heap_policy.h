// How the process heap treats the large blocks of batch tensors.
#pragma once

namespace coda {

// Called once before the first pipeline runs (see heap_policy.cpp for why).
void keep_large_blocks_on_the_heap();

}  // namespace coda
