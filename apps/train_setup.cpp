#include "train_setup.h"

#include "commands.h"

namespace coda::app {

void add_train_overrides(CLI::App *cmd, TrainOverrides &o) {
    cmd->add_option("--epochs", o.epochs, "training epochs (overrides the config)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--batch-size", o.batch_size, "batch size (also the virtual batch)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--lr", o.lr, "peak learning rate")->check(CLI::PositiveNumber);
    cmd->add_option("--temperature", o.temperature, "logit temperature T")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--seed", o.seed, "seed of initialisation, data order and augmentation");
    cmd->add_option("--loss", o.loss, "bce or ce")->check(CLI::IsMember({"bce", "ce"}));
}

RunConfig apply(const TrainOverrides &o, RunConfig c) {
    if (o.epochs)
        c.train.epochs = *o.epochs;
    if (o.batch_size)
        c.train.batch_size = c.train.virtual_batch = *o.batch_size;
    if (o.lr)
        c.train.lr = *o.lr;
    if (o.temperature)
        c.model.temperature = *o.temperature;
    if (o.seed)
        c.train.seed = *o.seed;
    if (o.loss)
        c.train.loss = *o.loss == "bce" ? LossKind::bce : LossKind::ce;
    return c;
}

RunConfig read_run_config(const std::string &path) {
    return path.empty() ? parse_config(kDefaultConfig, "built-in default config")
                        : load_config(path);
}

TeeLog::TeeLog(std::ostream *a, std::ostream *b) : std::ostream(&buf_) {
    buf_.a = a, buf_.b = b;
}

int TeeLog::Buf::overflow(int c) {
    if (c != EOF) {
        a->put(char(c));
        b->put(char(c));
        if (c == '\n') {
            a->flush(), b->flush();
        }
    }
    return c;
}

std::vector<EpochRecord> run_training(TrainingState &state, const DataSplits &data,
                                      const std::string &checkpoint, const std::string &dataset,
                                      int64_t eval_limit, bool progress, std::ostream &log) {
    log << "model: " << state.net.layers().size() << " CoDA layers, " << state.net.parameter_count()
        << " parameters; training on " << data.train.size() << " images, testing on "
        << data.test.size() << "\n";
    TrainOptions o;
    o.checkpoint = checkpoint;
    o.dataset = dataset;
    o.log = &log;
    o.progress = progress;
    o.eval_limit = eval_limit;
    std::vector<EpochRecord> r = train(state, data.train, data.test, o);
    if (!r.empty()) {
        char line[160];
        std::snprintf(line, sizeof line, "test accuracy after %d epochs: %.2f%% (checkpoint %s)\n",
                      r.back().epoch, 100 * r.back().test_accuracy, checkpoint.c_str());
        log << line;
    }
    return r;
}

}  // namespace coda::app
