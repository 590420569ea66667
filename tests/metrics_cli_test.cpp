// `coda metrics` run as a user would: on a small folder data set labelled
// with a random model's own confident predictions (so localisation finds
// confidently classified images), the files it promises, and its errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "coda/png_image.h"
#include "coda/trainer.h"
#include "test_files.h"

namespace coda {
namespace {

using ::testing::HasSubstr;
using testing::read_file;
using testing::TempDir;

using testing::CommandResult;

CommandResult coda(const std::string &args, const TempDir &dir) {
    return testing::run_command(CODA_APP, args, dir);
}

// A 1x16x16, 10-class model with a tiny temperature (large logits), and a
// folder data set of random images, each filed under the class the model
// predicts; classes it never predicts get one (misclassified) filler image.
struct Fixture {
    std::string checkpoint, data;
};

Fixture make_fixture(const TempDir &dir) {
    RunConfig c;
    c.model.image_channels = 1, c.model.image_height = 16, c.model.image_width = 16;
    c.model.input_pad = 0, c.model.temperature = 0.05;
    c.model.layers = {{6, 4, 3, 2, 1}, {10, 4, 1, 1, 0}};
    TrainingState s = new_training(c);
    Fixture f{dir / "model.safetensors", dir / "data"};
    save_training(f.checkpoint, s, {});

    std::mt19937 rng(4);
    std::vector<int> per_class(10, 0);
    Tensor images({40, 1, 16, 16});
    std::vector<PngPixels> pngs;
    for (int i = 0; i < 40; i++) {
        PngPixels p{16, 16, 1, std::vector<uint8_t>(256)};
        // varied structure (levels, gradients, stripes, noise) so that the
        // model predicts several classes
        const int kind = i % 4, level = int(rng() % 256);
        for (int j = 0; j < 256; j++) {
            const int y = j / 16, x = j % 16;
            int v = kind == 0   ? level
                    : kind == 1 ? (level + 16 * (i % 2 ? x : y)) % 256
                    : kind == 2 ? ((x / (1 + i % 5) + y / (1 + i % 3)) % 2 ? level : 255 - level)
                                : int(rng() % 256);
            p.values[j] = static_cast<uint8_t>(v);
            images[i * 256 + j] = p.values[j] / 255.0f;  // exactly what the loader reads
        }
        pngs.push_back(p);
    }
    Tensor logits = s.net.forward(images).logits;
    for (int i = 0; i < 40; i++) {
        int best = 0;
        for (int k = 1; k < 10; k++) {
            if (logits[i * 10 + k] > logits[i * 10 + best])
                best = k;
        }
        std::string folder = f.data + "/c" + std::to_string(best);
        std::filesystem::create_directories(folder);
        write_png(folder + "/" + std::to_string(i) + ".png", pngs[i]);
        per_class[best]++;
    }
    for (int k = 0; k < 10; k++) {
        if (per_class[k] == 0) {
            std::filesystem::create_directories(f.data + "/c" + std::to_string(k));
            write_png(f.data + "/c" + std::to_string(k) + "/filler.png", pngs[0]);
        }
    }
    return f;
}

TEST(MetricsCli, WritesTableCsvAndCharts) {
    TempDir dir;
    Fixture f = make_fixture(dir);
    const std::string out = dir / "metrics";
    // --grid 1: one image per grid, so two confidently predicted classes suffice
    CommandResult r =
        coda("metrics --checkpoint " + f.checkpoint + " --data folder --data-dir " + f.data +
                 " --test-dir " + f.data + " --methods grad,coda,occ5,intgrad --grid 1" +
                 " --samples 2 --removal-images 3 --ig-steps 4 --examples 2 --out-dir " + out,
             dir);
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Localisation: 2 1x1 grids"));
    EXPECT_THAT(r.out, HasSubstr("Pixel removal: first 3 test images"));
    // the table lists the methods in the spec's order, whatever the order given
    const size_t coda_at = r.out.rfind("  coda "), occ_at = r.out.rfind("  occ5 "),
                 ig_at = r.out.rfind("  intgrad "), grad_at = r.out.rfind("  grad ");
    EXPECT_LT(coda_at, occ_at);
    EXPECT_LT(occ_at, ig_at);
    EXPECT_LT(ig_at, grad_at);
    for (const char *name :
         {"metrics.csv", "localisation.png", "localisation.svg", "localisation_scores.csv",
          "examples.png", "pixel_removal.png", "pixel_removal.svg", "pixel_removal.csv"}) {
        EXPECT_TRUE(std::filesystem::exists(out + "/" + name)) << name;
    }
    const std::string csv = read_file(out + "/metrics.csv");
    EXPECT_THAT(csv, HasSubstr("metric,method,statistic,value\n"));
    // one cell per grid: every positive map scores 1 (or 0 without any A+)
    EXPECT_THAT(csv, HasSubstr("localisation,coda,count,2.000000"));
    EXPECT_THAT(csv, HasSubstr("pixel_removal,grad,curve_mean,"));
    EXPECT_THAT(read_file(out + "/localisation.svg"), HasSubstr(">CoDA (ours)</text>"));
    RgbImage chart = read_png(out + "/pixel_removal.png");
    EXPECT_EQ(chart.width, 1000);
}

TEST(MetricsCli, Errors) {
    TempDir dir;
    Fixture f = make_fixture(dir);
    const std::string data = " --data folder --data-dir " + f.data + " --test-dir " + f.data;
    CommandResult r =
        coda("metrics --checkpoint " + f.checkpoint + data + " --methods coda,lime", dir);
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("coda: error: unknown attribution method 'lime'"));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

    // 3x3 grids need more than 9 classes with confident images: not here
    r = coda("metrics --checkpoint " + f.checkpoint + data + " --metric localisation --grid 3",
             dir);
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("no localisation grid"));

    r = coda("metrics --checkpoint " + f.checkpoint + data + " --grid 0", dir);
    EXPECT_EQ(r.rc, 2);  // usage error
}

}  // namespace
}  // namespace coda
