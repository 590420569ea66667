// Model checkpoints as safetensors files (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length N, N bytes of JSON
//   {"__metadata__": {"key": "value", ...},
//    "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}
// padded with spaces to a multiple of 8, then the tensors' little-endian bytes,
// back to back. Readable by Python's safetensors (load_file) and PyTorch.
#pragma once

#include <map>
#include <string>

#include "coda/tensor.h"

namespace coda {

struct Checkpoint {
    std::map<std::string, Tensor> tensors;
    std::map<std::string, std::string> metadata;
};

// Writes path atomically: the data goes to path + ".tmp.<pid>", is synced and
// renamed over path, so an existing checkpoint is never lost or half-written.
// Throws Error (leaving path as it was) on any failure.
void save_checkpoint(const std::string &path, const std::map<std::string, Tensor> &tensors,
                     const std::map<std::string, std::string> &metadata = {});

// Reads and fully validates a checkpoint (F32 tensors only); throws Error
// naming the file and the problem.
Checkpoint load_checkpoint(const std::string &path);

}  // namespace coda
