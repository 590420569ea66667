// Device and x86-variant selection: the multi-target libraries run the variant
// CODA_X86_VARIANT asks for, and asking for a device without its driver fails
// with a clear error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dlfcn.h>

#include "coda/device.h"
#include "random_layer.h"

namespace coda {
namespace {

TEST(Device, RequestedX86VariantRuns) {
    std::mt19937 rng(1);
    LayerConfig cfg = testing::layer(3, 4, 5, 3, 1, 1);
    layer_forward(cfg, testing::random_params(cfg, rng), testing::uniform({1, 3, 8, 8}, 0, 1, rng));
#if defined(__x86_64__)
    std::string want = x86_variant();
    if (want == "native") {
        EXPECT_FALSE(x86_variant_used().empty());
    } else {
        EXPECT_EQ(x86_variant_used(), want);
    }
#else
    EXPECT_EQ(x86_variant_used(), "");  // single-target libraries: no dispatch
#endif
}

TEST(Device, MissingDriverIsAClearError) {
    void *cuda = dlopen("libcuda.so.1", RTLD_LAZY);
    if (cuda) {
        dlclose(cuda);
        EXPECT_NO_THROW(set_device(Device::cuda));
        set_device(Device::cpu);
        return;
    }
    try {
        set_device(Device::cuda);
        FAIL() << "no error";
    } catch (const Error &e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("--device cuda"));
    }
    EXPECT_EQ(current_device(), Device::cpu);
    EXPECT_THROW(parse_device("tpu"), Error);
}

}  // namespace
}  // namespace coda
