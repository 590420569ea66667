// The data set loaders: values read back exactly from small files written
// here, every malformed input rejected with a clear coda::Error, and the real
// Fashion-MNIST files when installed.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <zlib.h>

#include <gtest/gtest.h>
#include <png.h>

#include "coda/data.h"
#include "coda/png_image.h"
#include "test_files.h"

namespace coda {
namespace {

using testing::TempDir;
using testing::write_file;

std::string be32(uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
            static_cast<char>(v)};
}

void write_gz(const std::string &path, const std::string &bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    ASSERT_EQ(gzclose(f), Z_OK);
}

uint8_t mnist_pixel(int image, int i) {
    return static_cast<uint8_t>((image * 37 + i * 11) % 256);
}

std::string idx_images(uint32_t magic, uint32_t count, uint32_t rows, uint32_t cols,
                       int images_present) {
    std::string s = be32(magic) + be32(count) + be32(rows) + be32(cols);
    for (int n = 0; n < images_present; n++) {
        for (uint32_t i = 0; i < rows * cols; i++) {
            s += static_cast<char>(mnist_pixel(n, static_cast<int>(i)));
        }
    }
    return s;
}

std::string idx_labels(uint32_t magic, const std::vector<uint8_t> &labels) {
    std::string s = be32(magic) + be32(static_cast<uint32_t>(labels.size()));
    s.append(labels.begin(), labels.end());
    return s;
}

// A valid 3-image training set, and the same files with one defect each.
class FashionMnist : public ::testing::Test {
protected:
    void SetUp() override {
        write_images(idx_images(0x803, 3, 28, 28, 3));
        write_labels(idx_labels(0x801, {0, 9, 3}));
    }
    void write_images(const std::string &bytes, const char *prefix = "train") {
        write_gz(dir / (std::string(prefix) + "-images-idx3-ubyte.gz"), bytes);
    }
    void write_labels(const std::string &bytes, const char *prefix = "train") {
        write_gz(dir / (std::string(prefix) + "-labels-idx1-ubyte.gz"), bytes);
    }
    Dataset load() {
        return load_fashion_mnist(dir.path().string(), Split::train);
    }
    TempDir dir;
};

TEST_F(FashionMnist, ReadsPixelsAndLabelsExactly) {
    Dataset d = load();
    EXPECT_EQ(d.images.shape(), (Shape{3, 1, 28, 28}));
    EXPECT_EQ(d.labels, (std::vector<int>{0, 9, 3}));
    EXPECT_EQ(d.num_classes, 10);
    ASSERT_EQ(d.class_names.size(), 10u);
    EXPECT_EQ(d.class_names[0], "T-shirt/top");
    EXPECT_EQ(d.class_names[9], "Ankle boot");
    for (int n = 0; n < 3; n++) {
        for (int i = 0; i < 784; i++) {
            ASSERT_EQ(d.images[n * 784 + i], static_cast<float>(mnist_pixel(n, i)) / 255.0f);
        }
    }
}

TEST_F(FashionMnist, TestSplitUsesT10kFiles) {
    write_images(idx_images(0x803, 1, 28, 28, 1), "t10k");
    write_labels(idx_labels(0x801, {7}), "t10k");
    Dataset d = load_fashion_mnist(dir.path().string(), Split::test);
    EXPECT_EQ(d.images.dim(0), 1);
    EXPECT_EQ(d.labels, (std::vector<int>{7}));
}

TEST_F(FashionMnist, MissingFile) {
    EXPECT_CODA_ERROR(load_fashion_mnist(dir.path().string(), Split::test),
                      "t10k-images-idx3-ubyte.gz: cannot open");
}

TEST_F(FashionMnist, BadImageMagic) {
    write_images(idx_images(0x801, 3, 28, 28, 3));
    EXPECT_CODA_ERROR(load(),
                      "train-images-idx3-ubyte.gz: not an IDX image file (magic 0x00000801");
}

TEST_F(FashionMnist, BadLabelMagic) {
    write_labels(idx_labels(0x803, {0, 9, 3}));
    EXPECT_CODA_ERROR(load(), "train-labels-idx1-ubyte.gz: not an IDX label file");
}

TEST_F(FashionMnist, WrongImageSize) {
    write_images(idx_images(0x803, 3, 32, 28, 3));
    EXPECT_CODA_ERROR(load(), "images are 32x28, expected 28x28");
}

TEST_F(FashionMnist, ZeroImages) {
    write_images(idx_images(0x803, 0, 28, 28, 0));
    EXPECT_CODA_ERROR(load(), "implausible number of images 0");
}

TEST_F(FashionMnist, CountsDiffer) {
    write_labels(idx_labels(0x801, {0, 9}));
    EXPECT_CODA_ERROR(load(), "has 2 labels but");
}

TEST_F(FashionMnist, LabelOutOfRange) {
    write_labels(idx_labels(0x801, {0, 10, 3}));
    EXPECT_CODA_ERROR(load(), "label 10 of example 1 is not in 0..9");
}

TEST_F(FashionMnist, TruncatedPixels) {
    write_images(idx_images(0x803, 3, 28, 28, 2));
    EXPECT_CODA_ERROR(load(), "train-images-idx3-ubyte.gz: truncated: the pixels of 3 images: "
                              "2352 bytes expected, only 1568 present");
}

TEST_F(FashionMnist, TruncatedHeader) {
    write_labels(be32(0x801) + "\x00\x00");
    EXPECT_CODA_ERROR(load(), "train-labels-idx1-ubyte.gz: truncated: the header");
}

TEST_F(FashionMnist, TrailingData) {
    write_labels(idx_labels(0x801, {0, 9, 3}) + "x");
    EXPECT_CODA_ERROR(load(), "unexpected data after the 3 labels");
}

TEST_F(FashionMnist, TruncatedGzipStream) {
    const std::string path = dir / "train-images-idx3-ubyte.gz";
    std::string gz = testing::read_file(path);
    write_file(path, gz.substr(0, gz.size() / 2));
    EXPECT_CODA_ERROR(load(), "(zlib: unexpected end of file)");
}

TEST_F(FashionMnist, CorruptGzipChecksum) {
    const std::string path = dir / "train-labels-idx1-ubyte.gz";
    std::string gz = testing::read_file(path);
    gz[gz.size() - 6] ^= 0x55;  // in the CRC-32 of the gzip trailer
    write_file(path, gz);
    EXPECT_CODA_ERROR(load(),
                      "train-labels-idx1-ubyte.gz: corrupt gzip data: incorrect data check");
}

// The installed data set (Debian package dataset-fashion-mnist).
TEST(FashionMnistReal, FullSplitsHaveBalancedClasses) {
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz")) {
        GTEST_SKIP() << dir << " not installed";
    }
    for (auto [split, n] : {std::pair{Split::train, 60000}, std::pair{Split::test, 10000}}) {
        Dataset d = load_fashion_mnist(dir, split);
        EXPECT_EQ(d.images.shape(), (Shape{n, 1, 28, 28}));
        std::vector<int> per_class(10);
        for (int l : d.labels) {
            per_class.at(l)++;
        }
        EXPECT_EQ(per_class, std::vector<int>(10, n / 10));
        auto [lo, hi] = std::minmax_element(d.images.values().begin(), d.images.values().end());
        EXPECT_EQ(*lo, 0.0f);
        EXPECT_EQ(*hi, 1.0f);
    }
}

// CIFAR-10 record r of a file: label, then planes R, G, B.
std::string cifar_record(int label, int seed) {
    std::string s(1, static_cast<char>(label));
    for (int i = 0; i < 3072; i++) {
        s += static_cast<char>((seed * 13 + i * 7) % 256);
    }
    return s;
}

class Cifar10 : public ::testing::Test {
protected:
    void SetUp() override {
        for (int b = 1; b <= 5; b++) {
            write_file(dir / ("data_batch_" + std::to_string(b) + ".bin"),
                       cifar_record(b, b) + cifar_record(b + 4, 10 + b));
        }
        write_file(dir / "test_batch.bin", cifar_record(3, 0));
    }
    Dataset load(Split split = Split::train) {
        return load_cifar10(dir.path().string(), split);
    }
    TempDir dir;
};

TEST_F(Cifar10, ReadsAllBatchesInOrder) {
    Dataset d = load();
    EXPECT_EQ(d.images.shape(), (Shape{10, 3, 32, 32}));
    EXPECT_EQ(d.labels, (std::vector<int>{1, 5, 2, 6, 3, 7, 4, 8, 5, 9}));
    EXPECT_EQ(d.class_names[0], "airplane");
    EXPECT_EQ(d.class_names[9], "truck");
    // Example 3 is record 1 of batch 2 (seed 12); channel 1 (G) starts at byte 1024.
    const int seed = 12;
    for (int i = 0; i < 3072; i++) {
        ASSERT_EQ(d.images[3 * 3072 + i], static_cast<float>((seed * 13 + i * 7) % 256) / 255.0f);
    }
}

TEST_F(Cifar10, TestSplit) {
    Dataset d = load(Split::test);
    EXPECT_EQ(d.images.shape(), (Shape{1, 3, 32, 32}));
    EXPECT_EQ(d.labels, (std::vector<int>{3}));
}

TEST_F(Cifar10, ClassNamesFromMetaFile) {
    write_file(dir / "batches.meta.txt", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj k\r\n\n");
    Dataset d = load();
    EXPECT_EQ(d.class_names.front(), "a");
    EXPECT_EQ(d.class_names.back(), "j k");
}

TEST_F(Cifar10, MetaFileWithWrongCount) {
    write_file(dir / "batches.meta.txt", "a\nb\n");
    EXPECT_CODA_ERROR(load(), "batches.meta.txt: expected 10 class names, one a line, found 2");
}

TEST_F(Cifar10, MissingBatch) {
    std::filesystem::remove(dir / "data_batch_4.bin");
    EXPECT_CODA_ERROR(load(), "data_batch_4.bin: cannot open");
}

TEST_F(Cifar10, PartialRecord) {
    write_file(dir / "test_batch.bin", cifar_record(1, 0) + "xyz");
    EXPECT_CODA_ERROR(load(Split::test),
                      "test_batch.bin: size 3076 bytes is not a positive multiple of the 3073");
}

TEST_F(Cifar10, EmptyFile) {
    write_file(dir / "test_batch.bin", "");
    EXPECT_CODA_ERROR(load(Split::test), "size 0 bytes");
}

TEST_F(Cifar10, LabelOutOfRange) {
    write_file(dir / "data_batch_2.bin", cifar_record(1, 0) + cifar_record(10, 0));
    EXPECT_CODA_ERROR(load(), "data_batch_2.bin: record 1 has label 10, expected 0..9");
}

// PNG files of any layout libpng writes, for the folder loader.
void write_raw_png(const std::string &path, int width, int height, png_uint_32 format,
                   const std::vector<uint8_t> &values) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = format;
    ASSERT_TRUE(png_image_write_to_file(&image, path.c_str(), 0, values.data(), 0, nullptr))
        << image.message;
}

std::vector<uint8_t> ramp(size_t n, int seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; i++) {
        v[i] = static_cast<uint8_t>((seed * 31 + i * 17) % 256);
    }
    return v;
}

class ImageFolder : public ::testing::Test {
protected:
    std::string make_class(const std::string &name) {
        std::filesystem::create_directories(dir.path() / name);
        return (dir.path() / name).string();
    }
    Dataset load() {
        return load_image_folder(dir.path().string());
    }
    TempDir dir;
};

TEST_F(ImageFolder, GreyImagesSortedByClassAndName) {
    const std::string cat = make_class("cat"), dog = make_class("dog");
    make_class(".hidden");
    write_file(dir / "README.txt", "files beside the classes are ignored");
    write_png(dog + "/b.png", PngPixels{4, 3, 1, ramp(12, 1)});
    write_png(dog + "/a.png", PngPixels{4, 3, 1, ramp(12, 2)});
    write_png(cat + "/z.png", PngPixels{4, 3, 1, ramp(12, 3)});
    write_file(cat + "/.DS_Store", "hidden files are skipped");

    Dataset d = load();
    EXPECT_EQ(d.class_names, (std::vector<std::string>{"cat", "dog"}));
    EXPECT_EQ(d.num_classes, 2);
    EXPECT_EQ(d.labels, (std::vector<int>{0, 1, 1}));
    EXPECT_EQ(d.images.shape(), (Shape{3, 1, 3, 4}));
    const int seeds[] = {3, 2, 1};  // cat/z, dog/a, dog/b
    for (int n = 0; n < 3; n++) {
        std::vector<uint8_t> expected = ramp(12, seeds[n]);
        for (int i = 0; i < 12; i++) {
            ASSERT_EQ(d.images[n * 12 + i], expected[i] / 255.0f) << n << " " << i;
        }
    }
}

TEST_F(ImageFolder, ColourImagesArePlanarAndAlphaIsDropped) {
    const std::string a = make_class("a");
    std::vector<uint8_t> rgba = ramp(2 * 2 * 4, 5);
    write_raw_png(a + "/rgba.png", 2, 2, PNG_FORMAT_RGBA, rgba);
    write_png(a + "/rgb.png", PngPixels{2, 2, 3, ramp(12, 6)});

    Dataset d = load();
    ASSERT_EQ(d.images.shape(), (Shape{2, 3, 2, 2}));
    std::vector<uint8_t> rgb = ramp(12, 6);
    for (int c = 0; c < 3; c++) {
        for (int i = 0; i < 4; i++) {
            EXPECT_EQ(d.images[c * 4 + i], rgb[i * 3 + c] / 255.0f);        // rgb.png
            EXPECT_EQ(d.images[12 + c * 4 + i], rgba[i * 4 + c] / 255.0f);  // rgba.png
        }
    }
}

TEST_F(ImageFolder, NotAPng) {
    const std::string a = make_class("a");
    write_png(a + "/good.png", PngPixels{2, 2, 1, ramp(4, 0)});
    write_file(a + "/notes.txt", "not an image");
    EXPECT_CODA_ERROR(load(), "notes.txt: not a readable PNG file");
}

TEST_F(ImageFolder, TruncatedPng) {
    const std::string a = make_class("a");
    write_png(a + "/cut.png", PngPixels{64, 64, 3, ramp(64 * 64 * 3, 0)});
    std::string bytes = testing::read_file(a + "/cut.png");
    write_file(a + "/cut.png", bytes.substr(0, bytes.size() - 40));
    EXPECT_CODA_ERROR(load(), "cut.png: ");
}

TEST_F(ImageFolder, SizesDiffer) {
    write_png(make_class("a") + "/1.png", PngPixels{2, 2, 1, ramp(4, 0)});
    write_png(make_class("b") + "/2.png", PngPixels{3, 2, 1, ramp(6, 0)});
    EXPECT_CODA_ERROR(load(), "2.png: 3x2 grey image, but");
}

TEST_F(ImageFolder, ChannelsDiffer) {
    write_png(make_class("a") + "/1.png", PngPixels{2, 2, 1, ramp(4, 0)});
    write_png(make_class("a") + "/2.png", PngPixels{2, 2, 3, ramp(12, 0)});
    EXPECT_CODA_ERROR(load(), "2.png: 2x2 RGB image, but");
}

TEST_F(ImageFolder, EmptyClass) {
    write_png(make_class("a") + "/1.png", PngPixels{2, 2, 1, ramp(4, 0)});
    make_class("b");
    EXPECT_CODA_ERROR(load(), "class folder holds no images");
}

TEST_F(ImageFolder, NoClasses) {
    EXPECT_CODA_ERROR(load(), "no class sub-folders");
}

TEST_F(ImageFolder, NotADirectory) {
    EXPECT_CODA_ERROR(load_image_folder(dir / "missing"), "missing: not a directory");
}

}  // namespace
}  // namespace coda
