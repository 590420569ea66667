#include "explain_output.h"

#include <chrono>

#include "coda/batches.h"
#include "coda/explain_images.h"
#include "coda/loss.h"
#include "coda/png_image.h"
#include "coda/visualize.h"

namespace coda::app {

std::string class_name(const Dataset &data, int c) {
    std::string n =
        c >= 0 && c < int(data.class_names.size()) ? data.class_names[c] : std::to_string(c);
    for (char &ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch)))
            ch = '_';
    }
    return n;
}

std::vector<ExplainedImage> explain_images(const CodaNet &net, const Dataset &data,
                                           const std::vector<int64_t> &indices,
                                           const std::vector<int> &classes,
                                           const std::string &out_dir, int scale, bool depth) {
    Batch b = gather_batch(data, indices);
    Trace t = net.forward(b.images);
    std::vector<int> rows, explained;
    for (size_t i = 0; i < indices.size(); i++) {
        rows.push_back(int(i));
        explained.push_back(classes[i] >= 0 ? classes[i] : argmax_row(t.logits, int64_t(i)));
    }
    Explanation e = net.explain(t, rows, explained);
    std::vector<ExplainedImage> out;
    for (size_t i = 0; i < indices.size(); i++) {
        Tensor image = example_image(data, indices[i]);
        ExplainedImage x{indices[i], b.labels[i], argmax_row(t.logits, int64_t(i)), explained[i],
                         ""};
        x.panel_path = out_dir + "/explain_" + std::to_string(indices[i]) + "_" +
                       class_name(data, explained[i]) + ".png";
        write_png(x.panel_path,
                  explanation_panel(image, image_map(e, net.config(), int(i)), scale));
        if (depth) {
            write_png(out_dir + "/depth_" + std::to_string(indices[i]) + ".png",
                      depth_row(image, e, net.config(), int(i), scale));
        }
        out.push_back(x);
    }
    return out;
}

std::string explain_all_classes(const CodaNet &net, const Dataset &data, int64_t index,
                                const std::string &out_dir, int scale, double *seconds) {
    Batch b = gather_batch(data, {index});
    const int K = net.config().num_classes();
    auto start = std::chrono::steady_clock::now();
    Trace t = net.forward(b.images);
    Explanation e = net.explain(t, std::vector<int>(K, 0), [&] {
        std::vector<int> c(K);
        for (int k = 0; k < K; k++)
            c[k] = k;
        return c;
    }());
    if (seconds) {
        *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    Tensor image = example_image(data, index);
    std::vector<std::vector<RgbImage>> rows;
    for (int k = 0; k < K; k++) {
        rows.push_back({explanation_panel(image, image_map(e, net.config(), k), scale)});
    }
    std::string path = out_dir + "/explain_" + std::to_string(index) + "_all_classes.png";
    write_png(path, compose_grid(rows, 4));
    return path;
}

void write_sheet(const std::vector<ExplainedImage> &images, const std::string &path) {
    std::vector<RgbImage> tiles;
    for (const ExplainedImage &x : images) {
        tiles.push_back(read_png(x.panel_path));
    }
    write_png(path, compose_grid(tiles, 2, 6));
}

}  // namespace coda::app
