// Fashion-MNIST: gzipped IDX files (big-endian header, then unsigned bytes),
// read through zlib.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <zlib.h>

#include "coda/coda_layer.h"
#include "coda/data.h"

namespace coda {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
constexpr uint32_t kMaxCount = 10'000'000;     // bounds the allocation before reading
constexpr int kSide = 28;
constexpr int kClasses = 10;

class GzReader {
public:
    explicit GzReader(std::string path) : path_(std::move(path)) {
        errno = 0;
        file_ = gzopen(path_.c_str(), "rb");
        if (!file_) {
            throw Error(path_ +
                        ": cannot open: " + (errno ? std::strerror(errno) : "out of memory"));
        }
    }
    ~GzReader() {
        gzclose(file_);
    }
    GzReader(const GzReader &) = delete;
    GzReader &operator=(const GzReader &) = delete;

    const std::string &path() const {
        return path_;
    }

    // Reads exactly n bytes; `what` names them in the error on a short file.
    void read(void *buffer, size_t n, const std::string &what) {
        size_t got = read_some(buffer, n);
        if (got < n) {
            throw Error(path_ + ": truncated: " + what + ": " + std::to_string(n) +
                        " bytes expected, only " + std::to_string(got) + " present" + zlib_note());
        }
    }

    uint32_t read_u32_be(const std::string &what) {
        unsigned char b[4];
        read(b, 4, what);
        return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    }

    // Reading past the payload also makes zlib check the gzip CRC.
    void expect_end(const std::string &payload) {
        unsigned char extra[256];
        size_t got = read_some(extra, sizeof extra);
        if (got > 0) {
            throw Error(path_ + ": unexpected data after the " + payload);
        }
    }

private:
    size_t read_some(void *buffer, size_t n) {
        auto *out = static_cast<unsigned char *>(buffer);
        size_t total = 0;
        while (total < n) {
            unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - total, 1u << 30));
            int got = gzread(file_, out + total, chunk);
            if (got < 0) {
                throw Error(path_ + ": corrupt gzip data: " + zlib_message());
            }
            if (got == 0) {
                break;
            }
            total += static_cast<size_t>(got);
        }
        return total;
    }

    // zlib's message without the "<path>: " it starts with.
    std::string zlib_message() {
        int code;
        std::string msg = gzerror(file_, &code);
        return msg.rfind(path_ + ": ", 0) == 0 ? msg.substr(path_.size() + 2) : msg;
    }

    std::string zlib_note() {
        int code;
        gzerror(file_, &code);
        return code == Z_OK ? "" : " (zlib: " + zlib_message() + ")";
    }

    std::string path_;
    gzFile file_ = nullptr;
};

std::string hex32(uint32_t v) {
    char s[16];
    std::snprintf(s, sizeof s, "0x%08x", v);
    return s;
}

void expect_magic(const GzReader &in, uint32_t magic, uint32_t expected, const char *kind) {
    if (magic != expected) {
        throw Error(in.path() + ": not an IDX " + kind + " file (magic " + hex32(magic) +
                    ", expected " + hex32(expected) + ")");
    }
}

uint32_t read_count(GzReader &in, const char *items) {
    uint32_t n = in.read_u32_be("the header");
    if (n == 0 || n > kMaxCount) {
        throw Error(in.path() + ": implausible number of " + items + " " + std::to_string(n));
    }
    return n;
}

}  // namespace

Dataset load_fashion_mnist(const std::string &dir, Split split) {
    const std::string prefix = dir + "/" + (split == Split::train ? "train" : "t10k");

    GzReader images(prefix + "-images-idx3-ubyte.gz");
    expect_magic(images, images.read_u32_be("the header"), kImagesMagic, "image");
    uint32_t n = read_count(images, "images");
    uint32_t rows = images.read_u32_be("the header"), cols = images.read_u32_be("the header");
    if (rows != kSide || cols != kSide) {
        throw Error(images.path() + ": images are " + std::to_string(rows) + "x" +
                    std::to_string(cols) + ", expected 28x28 for Fashion-MNIST");
    }
    const size_t pixels = size_t{n} * kSide * kSide;
    std::vector<unsigned char> bytes(pixels);
    images.read(bytes.data(), pixels, "the pixels of " + std::to_string(n) + " images");
    images.expect_end(std::to_string(n) + " images");

    GzReader labels(prefix + "-labels-idx1-ubyte.gz");
    expect_magic(labels, labels.read_u32_be("the header"), kLabelsMagic, "label");
    uint32_t n_labels = read_count(labels, "labels");
    if (n_labels != n) {
        throw Error(labels.path() + ": has " + std::to_string(n_labels) + " labels but " +
                    images.path() + " has " + std::to_string(n) + " images");
    }
    std::vector<unsigned char> label_bytes(n);
    labels.read(label_bytes.data(), n, "the " + std::to_string(n) + " labels");
    labels.expect_end(std::to_string(n) + " labels");

    Dataset d;
    d.num_classes = kClasses;
    d.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    d.labels.resize(n);
    for (uint32_t i = 0; i < n; i++) {
        if (label_bytes[i] >= kClasses) {
            throw Error(labels.path() + ": label " + std::to_string(label_bytes[i]) +
                        " of example " + std::to_string(i) + " is not in 0..9");
        }
        d.labels[i] = label_bytes[i];
    }
    d.images = Tensor({int64_t{n}, 1, kSide, kSide});
    float *out = d.images.data();
    for (size_t i = 0; i < pixels; i++) {
        out[i] = static_cast<float>(bytes[i]) / 255.0f;  // as torchvision's ToTensor
    }
    return d;
}

}  // namespace coda
