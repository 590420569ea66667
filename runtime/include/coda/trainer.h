// Training and evaluation of a CoDA-Net on an in-memory data set, and the
// checkpoints that let a run stop and resume exactly: the data order and the
// augmentation of every batch depend only on (seed, epoch, batch), and a
// checkpoint holds the weights, Adam's state, the config and the epoch.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "coda/data.h"
#include "coda/model.h"
#include "coda/optimizer.h"

namespace coda {

struct Evaluation {
    double loss = 0, accuracy = 0;
    int64_t count = 0;
    std::vector<int> predictions;  // argmax class of each evaluated example
};

// Mean loss and accuracy over the first `limit` examples (0: all).
Evaluation evaluate(const CodaNet &net, const Dataset &data, LossKind loss, int batch_size = 256,
                    int64_t limit = 0, bool progress = true);

struct EpochRecord {
    int epoch = 0;  // 1-based
    double lr = 0, train_loss = 0, train_accuracy = 0, test_loss = 0, test_accuracy = 0;
    double seconds = 0;
};

struct TrainOptions {
    std::string checkpoint;       // saved after every epoch (empty: never)
    std::string dataset;          // recorded in the checkpoint
    std::ostream *log = nullptr;  // one key=value line per epoch
    bool progress = true;
    int64_t eval_limit = 0;  // test examples per evaluation (0: all)
    int stop_after = 0;      // stop after this many epochs of this call (0: run to the end)
};

// A model with its optimizer and the point training reached.
struct TrainingState {
    RunConfig config;
    CodaNet net;
    Adam adam;
    int epochs_done = 0;
    std::vector<std::string> class_names;
};

TrainingState new_training(const RunConfig &config);

// Trains from state.epochs_done up to config.train.epochs, evaluating on
// `test` after each epoch.
std::vector<EpochRecord> train(TrainingState &state, const Dataset &train_set,
                               const Dataset &test_set, const TrainOptions &options);

void save_training(const std::string &path, const TrainingState &state,
                   const std::map<std::string, std::string> &extra_metadata = {});
// Throws Error if the file is not a CoDA checkpoint or its tensors do not fit
// its config.
TrainingState load_training(const std::string &path);

}  // namespace coda
