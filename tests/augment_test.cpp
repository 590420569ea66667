// Random crop with zero padding and random horizontal flip: each output image
// is a valid transform of its input, all outcomes occur, results are seeded.
#include <set>

#include <gtest/gtest.h>

#include "coda/augment.h"
#include "test_files.h"

namespace coda {
namespace {

// Distinct non-zero values so a shift or mirror is recognisable.
Tensor distinct_batch(int b, int c, int h, int w) {
    Tensor t({b, c, h, w});
    for (int64_t i = 0; i < t.size(); i++) {
        t[i] = 1.0f + static_cast<float>(i);
    }
    return t;
}

// out[n] == in[n] shifted by (dy, dx) with zeros brought in.
bool is_shift(const Tensor &in, const Tensor &out, int64_t n, int dy, int dx) {
    const int64_t c = in.dim(1), h = in.dim(2), w = in.dim(3);
    for (int64_t ch = 0; ch < c; ch++) {
        for (int64_t y = 0; y < h; y++) {
            for (int64_t x = 0; x < w; x++) {
                int64_t sy = y + dy, sx = x + dx;
                float expected = sy >= 0 && sy < h && sx >= 0 && sx < w
                                     ? in[((n * c + ch) * h + sy) * w + sx]
                                     : 0.0f;
                if (out[((n * c + ch) * h + y) * w + x] != expected) {
                    return false;
                }
            }
        }
    }
    return true;
}

TEST(RandomCrop, EveryImageIsAPaddedShiftAndAllShiftsOccur) {
    const int pad = 2;
    Tensor in = distinct_batch(300, 2, 5, 6);
    std::mt19937_64 rng(3);
    Tensor out = random_crop_with_padding(in, pad, rng);
    ASSERT_EQ(out.shape(), in.shape());
    std::set<std::pair<int, int>> shifts;
    for (int64_t n = 0; n < 300; n++) {
        int found = 0;
        for (int dy = -pad; dy <= pad; dy++) {
            for (int dx = -pad; dx <= pad; dx++) {
                if (is_shift(in, out, n, dy, dx)) {
                    shifts.insert({dy, dx});
                    found++;
                }
            }
        }
        ASSERT_EQ(found, 1) << "image " << n;
    }
    EXPECT_EQ(shifts.size(), 25u);
}

TEST(RandomCrop, ZeroPaddingIsIdentityAndSeedsRepeat) {
    Tensor in = distinct_batch(4, 3, 4, 4);
    std::mt19937_64 rng(1);
    EXPECT_EQ(random_crop_with_padding(in, 0, rng).values(), in.values());
    std::mt19937_64 a(9), b(9);
    EXPECT_EQ(random_crop_with_padding(in, 4, a).values(),
              random_crop_with_padding(in, 4, b).values());
}

TEST(RandomCrop, RejectsBadInput) {
    std::mt19937_64 rng(1);
    EXPECT_CODA_ERROR(random_crop_with_padding(Tensor({3, 4, 4}), 1, rng), "expected (B, C, H, W)");
    EXPECT_CODA_ERROR(random_crop_with_padding(Tensor({1, 3, 4, 4}), -1, rng), "negative padding");
}

TEST(RandomFlip, EachImageIsKeptOrMirroredAboutHalfTheTime) {
    Tensor in = distinct_batch(1000, 2, 3, 4);
    std::mt19937_64 rng(5);
    Tensor out = random_horizontal_flip(in, rng);
    int flipped = 0;
    const int64_t per = 2 * 3 * 4;
    for (int64_t n = 0; n < 1000; n++) {
        bool same = true, mirrored = true;
        for (int64_t row = 0; row < 6; row++) {
            for (int64_t x = 0; x < 4; x++) {
                float o = out[n * per + row * 4 + x];
                same &= o == in[n * per + row * 4 + x];
                mirrored &= o == in[n * per + row * 4 + 3 - x];
            }
        }
        ASSERT_NE(same, mirrored) << "image " << n;
        flipped += mirrored;
    }
    EXPECT_GT(flipped, 430);
    EXPECT_LT(flipped, 570);
    std::mt19937_64 again(5);
    EXPECT_EQ(random_horizontal_flip(in, again).values(), out.values());
}

TEST(RandomFlip, RejectsBadInput) {
    std::mt19937_64 rng(1);
    EXPECT_CODA_ERROR(random_horizontal_flip(Tensor({4, 4}), rng), "random_horizontal_flip");
}

}  // namespace
}  // namespace coda
