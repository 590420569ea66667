// CIFAR-10, binary version: records of one label byte and 3 x 32 x 32 pixel
// bytes (all R, then G, then B, rows top to bottom).
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "coda/coda_layer.h"
#include "coda/data.h"

namespace coda {

namespace {

constexpr int kSide = 32;
constexpr int kPixels = 3 * kSide * kSide;
constexpr int kRecord = 1 + kPixels;
constexpr int kClasses = 10;

// The number of records in path, after checking the file size.
int64_t record_count(const std::string &path) {
    std::error_code ec;
    uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) {
        throw Error(path + ": cannot open: " + ec.message());
    }
    if (size == 0 || size % kRecord != 0) {
        throw Error(path + ": size " + std::to_string(size) +
                    " bytes is not a positive multiple of the 3073-byte CIFAR-10 record");
    }
    return static_cast<int64_t>(size / kRecord);
}

std::vector<unsigned char> read_file(const std::string &path, int64_t records) {
    std::vector<unsigned char> bytes(records * kRecord);
    std::ifstream in(path, std::ios::binary);
    auto size = static_cast<std::streamsize>(bytes.size());
    if (!in.read(reinterpret_cast<char *>(bytes.data()), size)) {
        throw Error(path + ": read failed: " + std::strerror(errno));
    }
    return bytes;
}

std::vector<std::string> class_names(const std::string &dir) {
    const std::string path = dir + "/batches.meta.txt";
    std::ifstream in(path);
    if (!in) {  // optional file
        return {"airplane", "automobile", "bird",  "cat",  "deer",
                "dog",      "frog",       "horse", "ship", "truck"};
    }
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);) {
        size_t end = line.find_last_not_of(" \t\r");
        if (end != std::string::npos) {
            names.push_back(line.substr(0, end + 1));
        }
    }
    if (names.size() != kClasses) {
        throw Error(path + ": expected 10 class names, one a line, found " +
                    std::to_string(names.size()));
    }
    return names;
}

}  // namespace

Dataset load_cifar10(const std::string &dir, Split split) {
    std::vector<std::string> files;
    if (split == Split::train) {
        for (int i = 1; i <= 5; i++) {
            files.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
        }
    } else {
        files.push_back(dir + "/test_batch.bin");
    }

    // Sizes first: a bad file fails before the large allocation.
    std::vector<int64_t> counts;
    int64_t n = 0;
    for (const std::string &f : files) {
        counts.push_back(record_count(f));
        n += counts.back();
    }

    Dataset d;
    d.num_classes = kClasses;
    d.class_names = class_names(dir);
    d.images = Tensor({n, 3, kSide, kSide});
    d.labels.reserve(n);
    float *out = d.images.data();
    for (size_t f = 0; f < files.size(); f++) {
        const std::vector<unsigned char> bytes = read_file(files[f], counts[f]);
        for (int64_t r = 0; r < counts[f]; r++) {
            const unsigned char *record = bytes.data() + r * kRecord;
            if (record[0] >= kClasses) {
                throw Error(files[f] + ": record " + std::to_string(r) + " has label " +
                            std::to_string(record[0]) + ", expected 0..9");
            }
            d.labels.push_back(record[0]);
            for (int i = 0; i < kPixels; i++) {  // already in (C, H, W) order
                *out++ = static_cast<float>(record[1 + i]) / 255.0f;
            }
        }
    }
    return d;
}

}  // namespace coda
