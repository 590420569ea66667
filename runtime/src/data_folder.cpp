// A folder of PNG images, one sub-folder per class (torchvision ImageFolder
// layout): dir/<class>/**/<image>.png.
#include <algorithm>
#include <filesystem>

#include "coda/coda_layer.h"
#include "coda/data.h"
#include "coda/png_image.h"

namespace coda {

namespace fs = std::filesystem;

namespace {

bool hidden(const fs::path &p) {
    return p.filename().string().rfind('.', 0) == 0;
}

std::string describe(const PngPixels &p) {
    return std::to_string(p.width) + "x" + std::to_string(p.height) +
           (p.channels == 1 ? " grey" : " RGB");
}

// The image files of one class, sorted by path; every one must be a PNG.
std::vector<fs::path> class_files(const fs::path &class_dir) {
    std::vector<fs::path> files;
    // Symbolic links to directories are not followed (they could form cycles).
    for (auto it = fs::recursive_directory_iterator(class_dir);
         it != fs::recursive_directory_iterator(); ++it) {
        if (hidden(it->path())) {
            it.disable_recursion_pending();
        } else if (!it->is_directory()) {
            files.push_back(it->path());
        }
    }
    if (files.empty()) {
        throw Error(class_dir.string() + ": class folder holds no images");
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

Dataset load_image_folder(const std::string &dir) {
    std::vector<fs::path> classes;
    std::vector<std::vector<fs::path>> files;
    try {
        if (!fs::is_directory(dir)) {
            throw Error(dir + ": not a directory");
        }
        for (const fs::directory_entry &e : fs::directory_iterator(dir)) {
            if (!hidden(e.path()) && e.is_directory()) {  // files beside the classes are ignored
                classes.push_back(e.path());
            }
        }
        std::sort(classes.begin(), classes.end());
        for (const fs::path &c : classes) {
            files.push_back(class_files(c));
        }
    } catch (const fs::filesystem_error &e) {
        throw Error(dir + ": cannot list the image folder: " + e.what());
    }
    if (classes.empty()) {
        throw Error(dir + ": no class sub-folders");
    }

    Dataset d;
    d.num_classes = static_cast<int>(classes.size());
    for (const fs::path &c : classes) {
        d.class_names.push_back(c.filename().string());
    }
    int64_t n = 0;
    for (const auto &f : files) {
        n += static_cast<int64_t>(f.size());
    }

    PngPixels first;  // size and channels of the first image (no pixels)
    std::string first_path;
    float *out = nullptr;
    for (size_t label = 0; label < files.size(); label++) {
        for (const fs::path &f : files[label]) {
            PngPixels p = read_png_pixels(f.string());
            if (!out) {
                first = {p.width, p.height, p.channels, {}};
                first_path = f.string();
                d.images = Tensor({n, p.channels, p.height, p.width});
                out = d.images.data();
            } else if (p.width != first.width || p.height != first.height ||
                       p.channels != first.channels) {
                throw Error(f.string() + ": " + describe(p) + " image, but " + first_path + " is " +
                            describe(first) + "; all images must match");
            }
            // Interleaved (H, W, C) bytes to planar (C, H, W) floats.
            const size_t plane = static_cast<size_t>(p.width) * p.height;
            for (int c = 0; c < p.channels; c++) {
                for (size_t i = 0; i < plane; i++) {
                    out[c * plane + i] = static_cast<float>(p.values[i * p.channels + c]) / 255.0f;
                }
            }
            out += plane * p.channels;
            d.labels.push_back(static_cast<int>(label));
        }
    }
    return d;
}

}  // namespace coda
