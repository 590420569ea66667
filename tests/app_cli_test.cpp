// The `coda` command on bad input: one clear error line, a non-zero exit
// (2 for usage errors, 1 otherwise), no crash, and files on disk untouched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <sys/wait.h>

#include <cstdlib>

#include "coda/trainer.h"
#include "test_files.h"

namespace coda {
namespace {

using ::testing::HasSubstr;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

using testing::CommandResult;

CommandResult coda(const std::string &args, const TempDir &dir) {
    return testing::run_command(CODA_APP, args, dir);
}

int lines(const std::string &s) {
    return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

// A small model on 28x28 grey images, saved as a checkpoint.
std::string checkpoint(const TempDir &dir) {
    RunConfig c;
    c.model.image_channels = 1, c.model.image_height = 28, c.model.image_width = 28;
    c.model.layers = {{10, 2, 1, 4, 0}};
    std::string path = dir / "model.safetensors";
    save_training(path, new_training(c), {});
    return path;
}

TEST(AppCli, UsageErrorsExitWithTwo) {
    TempDir dir;
    CommandResult r = coda("train --bogus", dir);
    EXPECT_EQ(r.rc, 2);
    EXPECT_THAT(r.err, HasSubstr("--bogus"));
    EXPECT_EQ(coda("", dir).rc, 2);
    EXPECT_EQ(coda("frobnicate", dir).rc, 2);
    EXPECT_EQ(coda("train --epochs -3", dir).rc, 2);
    EXPECT_EQ(coda("--help", dir).rc, 0);
}

TEST(AppCli, ImpossibleConfig) {
    TempDir dir;
    write_file(dir / "bad.cfg", "input = 1x8x8\nlayer = 10 4 15 1 0\n");
    CommandResult r = coda("train --config " + dir / "bad.cfg" + " --out-dir " + dir / "out", dir);
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("coda: error: "));
    EXPECT_THAT(r.err, HasSubstr("input size 8 is smaller than the kernel 15"));
    EXPECT_EQ(lines(r.err), 1) << r.err;
}

TEST(AppCli, MissingOrCorruptData) {
    TempDir dir;
    std::string ckpt = checkpoint(dir);
    CommandResult r = coda("eval --checkpoint " + ckpt + " --data-dir " + dir / "nowhere", dir);
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("t10k-images-idx3-ubyte.gz"));
    EXPECT_EQ(lines(r.err), 1) << r.err;

    write_file(dir / "t10k-images-idx3-ubyte.gz", "this is not gzip data");
    write_file(dir / "t10k-labels-idx1-ubyte.gz", "nor this");
    r = coda("eval --checkpoint " + ckpt + " --data-dir " + dir.path().string(), dir);
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("coda: error: "));
    EXPECT_EQ(lines(r.err), 1) << r.err;
}

TEST(AppCli, BadCheckpointsAreReportedAndKept) {
    TempDir dir;
    std::string ckpt = checkpoint(dir), bytes = read_file(ckpt);
    std::string cut = dir / "cut.safetensors";
    write_file(cut, bytes.substr(0, bytes.size() - 100));
    for (std::string cmd : {"eval --checkpoint " + cut,
                            "train --resume --checkpoint " + cut + " --out-dir " + dir / "out"}) {
        CommandResult r = coda(cmd, dir);
        EXPECT_EQ(r.rc, 1) << cmd;
        EXPECT_THAT(r.err, HasSubstr("cut.safetensors")) << cmd;
        EXPECT_EQ(lines(r.err), 1) << r.err;
    }
    EXPECT_EQ(read_file(cut), bytes.substr(0, bytes.size() - 100))
        << "a failed run changed the file";

    write_file(dir / "notes.txt", "not a checkpoint");
    CommandResult r = coda("eval --checkpoint " + dir / "notes.txt", dir);
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("notes.txt"));
}

TEST(AppCli, ExplainRejectsBadImages) {
    TempDir dir;
    std::string ckpt = checkpoint(dir);
    write_file(dir / "fake.png", "GIF89a not a png");
    CommandResult r = coda("explain --checkpoint " + ckpt + " --image " + dir / "fake.png" +
                               " --out-dir " + dir / "maps",
                           dir);
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("fake.png"));
    EXPECT_EQ(lines(r.err), 1) << r.err;

    r = coda("explain --checkpoint " + ckpt + " --index 10000 --out-dir " + dir / "maps", dir);
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("--index 10000 outside the 10000 test images"));
}

// --device cuda where there is no NVIDIA driver (or, in a build without the GPU
// libraries, e.g. the aarch64 one, no CUDA pipelines): a clear error, not a crash.
TEST(AppCli, CudaWithoutGpu) {
    if (void *cuda = dlopen("libcuda.so.1", RTLD_LAZY)) {
        dlclose(cuda);
        GTEST_SKIP() << "this machine has an NVIDIA driver; benchmarks/gpu_check.sh covers it";
    }
    TempDir dir;
    std::string ckpt = checkpoint(dir);
    CommandResult r = coda("--device cuda eval --checkpoint " + ckpt, dir);
    EXPECT_EQ(r.rc, 1);
#ifdef CODA_HAVE_GPU_LIBS
    EXPECT_THAT(r.err, HasSubstr("--device cuda: no NVIDIA CUDA driver on this machine"));
#else
    EXPECT_THAT(r.err, HasSubstr("--device cuda: this build has no GPU libraries"));
#endif
    EXPECT_EQ(lines(r.err), 1) << r.err;
    EXPECT_EQ(coda("--device tpu eval --checkpoint " + ckpt, dir).rc, 2);
}

}  // namespace
}  // namespace coda
