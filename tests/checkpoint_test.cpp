// safetensors checkpoints: exact round trip, the byte layout other readers
// expect, atomic replacement, and rejection of every malformed file.
#include <cmath>
#include <cstring>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "coda/checkpoint.h"
#include "test_files.h"

namespace coda {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;

std::string le64(uint64_t v) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; i++) {
        s[i] = static_cast<char>(v >> (8 * i));
    }
    return s;
}

std::string floats(std::vector<float> v) {
    return std::string(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(float));
}

// A file with the given header text and data bytes.
std::string file_bytes(const std::string &header, const std::string &data) {
    return le64(header.size()) + header + data;
}

TEST(Checkpoint, RoundTripIsBitExact) {
    TempDir dir;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::map<std::string, Tensor> tensors{
        {"layer1.C", Tensor({2, 3, 1, 2}, {1.5f, -0.0f, 1e-45f, 3.4e38f, -7.25f, nan, 0.1f, 0.2f,
                                           0.3f, std::numeric_limits<float>::infinity(), 11, 12})},
        {"scalar", Tensor(Shape{}, Floats{42.0f})},
        {"empty", Tensor({0, 3})},
        {"b", Tensor({5}, {1, 2, 3, 4, 5})},
    };
    std::map<std::string, std::string> meta{
        {"epoch", "7"}, {"config", "{\"norm\": \"squash\"}\nline 2"}, {"名前", "ünïcode"}};
    const std::string path = dir / "model.safetensors";
    save_checkpoint(path, tensors, meta);

    Checkpoint ck = load_checkpoint(path);
    EXPECT_EQ(ck.metadata, meta);
    ASSERT_EQ(ck.tensors.size(), tensors.size());
    for (const auto &[name, t] : tensors) {
        const Tensor &r = ck.tensors.at(name);
        EXPECT_EQ(r.shape(), t.shape()) << name;
        ASSERT_EQ(r.size(), t.size()) << name;
        EXPECT_TRUE(t.size() == 0 || std::memcmp(r.data(), t.data(), t.size() * sizeof(float)) == 0)
            << name;  // bit patterns, so NaN and -0 count too
    }
    EXPECT_EQ(testing::list_dir(dir.path()), std::vector<std::string>{"model.safetensors"});
}

TEST(Checkpoint, ByteLayoutIsSafetensors) {
    TempDir dir;
    save_checkpoint(dir / "a.safetensors", {{"w", Tensor({2}, {1.0f, 2.0f})}}, {{"k", "v"}});
    const std::string bytes = read_file(dir / "a.safetensors");
    uint64_t n;
    std::memcpy(&n, bytes.data(), 8);
    EXPECT_EQ((8 + n) % 8, 0u);  // data aligned
    const std::string header = bytes.substr(8, n);
    EXPECT_EQ(header.substr(0, header.find_last_not_of(' ') + 1),
              R"({"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})");
    EXPECT_EQ(bytes.substr(8 + n), floats({1.0f, 2.0f}));
}

TEST(Checkpoint, ReadsForeignLayout) {
    // As another writer may produce it: no metadata, offsets not in name order,
    // spaces in the JSON, no padding.
    TempDir dir;
    const std::string header =
        R"({ "b": {"shape": [1], "dtype": "F32", "data_offsets": [8, 12]},
             "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]} })";
    write_file(dir / "f", file_bytes(header, floats({1, 2, 3})));
    Checkpoint ck = load_checkpoint(dir / "f");
    EXPECT_TRUE(ck.metadata.empty());
    EXPECT_EQ(ck.tensors.at("a").values(), (Floats{1, 2}));
    EXPECT_EQ(ck.tensors.at("b").values(), (Floats{3}));
}

TEST(Checkpoint, OverwriteReplacesAndLeavesNoTemporary) {
    TempDir dir;
    const std::string path = dir / "c";
    save_checkpoint(path, {{"x", Tensor({1}, {1.0f})}});
    save_checkpoint(path, {{"x", Tensor({1}, {2.0f})}});
    EXPECT_EQ(load_checkpoint(path).tensors.at("x")[0], 2.0f);
    EXPECT_EQ(testing::list_dir(dir.path()), std::vector<std::string>{"c"});
}

TEST(CheckpointSave, MissingDirectoryFailsCleanly) {
    TempDir dir;
    write_file(dir / "old", "previous");
    EXPECT_CODA_ERROR(save_checkpoint(dir / "no/such/dir/c", {{"x", Tensor({1})}}), "cannot write");
    EXPECT_EQ(testing::list_dir(dir.path()), std::vector<std::string>{"old"});
    EXPECT_EQ(read_file(dir / "old"), "previous");
}

TEST(CheckpointSave, FailureKeepsThePreviousFile) {
    TempDir dir;
    const std::string path = dir / "c";
    save_checkpoint(path, {{"x", Tensor({1}, {1.0f})}});
    const std::string before = read_file(path);
    // The temporary file cannot be created: a directory is in its place.
    std::filesystem::create_directory(path + ".tmp." + std::to_string(::getpid()));
    EXPECT_CODA_ERROR(save_checkpoint(path, {{"x", Tensor({1}, {2.0f})}}), "cannot write");
    EXPECT_EQ(read_file(path), before);
}

TEST(CheckpointSave, RejectsBadTensorsBeforeWriting) {
    TempDir dir;
    const std::string path = dir / "c";
    save_checkpoint(path, {{"x", Tensor({1}, {1.0f})}});
    const std::string before = read_file(path);
    EXPECT_CODA_ERROR(save_checkpoint(path, {{"x", Tensor()}}),
                      "tensor 'x' of shape () holds 0 values");
    EXPECT_CODA_ERROR(save_checkpoint(path, {{"__metadata__", Tensor({1})}}),
                      "invalid tensor name");
    EXPECT_CODA_ERROR(save_checkpoint(path, {{"", Tensor({1})}}), "invalid tensor name");
    EXPECT_CODA_ERROR(save_checkpoint(path, {{"x", Tensor({1})}}, {{"k", "\xff\xfe"}}),
                      "is not UTF-8");
    EXPECT_EQ(read_file(path), before);
    EXPECT_EQ(testing::list_dir(dir.path()), std::vector<std::string>{"c"});
}

// Each malformed file and the fragment its error must contain.
struct BadFile {
    const char *name;
    std::string bytes;
    const char *fragment;
};

const std::string kTensorA = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

std::vector<BadFile> bad_files() {
    const std::string two = floats({1, 2});
    return {
        {"Empty", "", "too short for the 8-byte header length"},
        {"FiveBytes", "abcde", "too short"},
        {"HugeHeaderLength", le64(1ull << 40) + "{}", "header length 1099511627776 exceeds"},
        {"HeaderLongerThanFile", le64(100) + "{}", "exceeds the 2 bytes after it"},
        {"PngFile", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "not a safetensors file"},
        {"NotAnObject", file_bytes("[1, 2]", ""), "not a JSON object"},
        {"InvalidJson", file_bytes("{\"a\": ", ""), "invalid JSON header"},
        {"TopLevelNotObjectAfterBrace", file_bytes("{} []", ""), "invalid JSON header"},
        {"MetadataNotObject", file_bytes(R"({"__metadata__":[]})", ""),
         "__metadata__ is not a JSON object"},
        {"MetadataValueNotString", file_bytes(R"({"__metadata__":{"e":7}})", ""),
         "value of 'e' is not a string"},
        {"EntryNotObject", file_bytes(R"({"a":3})", ""), "tensor 'a': entry is not a JSON object"},
        {"F16", file_bytes(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", "1234"),
         "tensor 'a' has dtype F16; only F32 is supported"},
        {"MissingDtype", file_bytes(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", two),
         "missing dtype"},
        {"MissingShape", file_bytes(R"({"a":{"dtype":"F32","data_offsets":[0,8]}})", two),
         "missing shape"},
        {"NegativeShape",
         file_bytes(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", two),
         "shape [-2] is not a list of sizes"},
        {"FloatShape",
         file_bytes(R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", two),
         "is not a list of sizes"},
        {"HugeShape",
         file_bytes(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
                    two),
         "needs more than the 8 data bytes"},
        {"UnknownField",
         file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})", two),
         "unknown field 'x'"},
        {"BadOffsets", file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", two),
         "data_offsets must be [begin, end]"},
        {"OffsetsPastEnd",
         file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", two),
         "data_offsets [4,12] outside the 8 data bytes"},
        {"OffsetsReversed",
         file_bytes(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", two),
         "outside the 8 data bytes"},
        {"OffsetsDisagreeWithShape",
         file_bytes(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1, 2, 3})),
         "span 8 bytes but shape [3] needs 12"},
        {"Overlap",
         file_bytes("{" + kTensorA + R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                    two),
         "tensors 'a' and 'b' overlap"},
        {"Gap", file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", two),
         "4 unused data bytes before tensor 'a'"},
        {"TrailingData", file_bytes("{" + kTensorA + "}", two + "junk"),
         "4 bytes of trailing data after the tensors"},
        {"DataWithoutTensors", file_bytes("{}", "abcd"), "4 bytes of trailing data"},
        {"DuplicateName", file_bytes("{" + kTensorA + "," + kTensorA + "}", two),
         "names 'a' twice"},
    };
}

class CheckpointLoadRejects : public ::testing::TestWithParam<BadFile> {};

TEST_P(CheckpointLoadRejects, WithClearMessage) {
    TempDir dir;
    const std::string path = dir / "bad.safetensors";
    write_file(path, GetParam().bytes);
    EXPECT_CODA_ERROR(load_checkpoint(path), path + ": ");
    EXPECT_CODA_ERROR(load_checkpoint(path), GetParam().fragment);
}

INSTANTIATE_TEST_SUITE_P(Malformed, CheckpointLoadRejects, ::testing::ValuesIn(bad_files()),
                         [](const auto &info) { return std::string(info.param.name); });

TEST(CheckpointLoad, MissingFileAndDirectory) {
    TempDir dir;
    EXPECT_CODA_ERROR(load_checkpoint(dir / "none"), "none: cannot open: No such file");
    EXPECT_CODA_ERROR(load_checkpoint(dir.path().string()), "is a directory");
}

}  // namespace
}  // namespace coda
