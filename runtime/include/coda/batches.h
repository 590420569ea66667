// Mini-batches: a deterministic per-epoch order of the examples, and gathering
// a batch by indices. The order depends only on (N, seed, epoch), so training
// resumed at epoch e, batch i sees exactly the batches of an uninterrupted run.
#pragma once

#include <cstdint>
#include <vector>

#include "coda/data.h"

namespace coda {

struct Batch {
    Tensor images;                 // (B, C, H, W)
    std::vector<int> labels;       // B labels
    std::vector<int64_t> indices;  // the examples' indices in the data set
};

// The example order of epoch `epoch`: a permutation of 0..n-1.
std::vector<int64_t> epoch_permutation(int64_t n, uint64_t seed, int64_t epoch);

// Copies the given examples (any order, repeats allowed) into one batch;
// throws Error on an index outside the data set.
Batch gather_batch(const Dataset &d, const std::vector<int64_t> &indices);

// The batches of one epoch, in random access (batch(i)) or in sequence.
class BatchIterator {
public:
    // shuffle = false keeps the data set order (evaluation). drop_last skips a
    // final batch smaller than batch_size.
    BatchIterator(const Dataset &d, int batch_size, uint64_t seed, int64_t epoch,
                  bool shuffle = true, bool drop_last = false);
    // The iterator keeps a reference to d: no temporaries.
    BatchIterator(Dataset &&, int, uint64_t, int64_t, bool = true, bool = false) = delete;

    int64_t num_batches() const;
    Batch batch(int64_t i) const;  // 0 <= i < num_batches()
    // Writes the next batch and returns true, or returns false at the end.
    bool next(Batch &out);
    int64_t position() const {  // index of the batch next() returns
        return next_;
    }
    void seek(int64_t batch_index);  // resume: next() returns batch(batch_index)

private:
    const Dataset &data_;
    int batch_size_;
    bool drop_last_;
    std::vector<int64_t> order_;
    int64_t next_ = 0;
};

}  // namespace coda
