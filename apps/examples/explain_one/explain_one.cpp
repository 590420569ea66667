// explain_one: classifies one PNG image with a CoDA-Net checkpoint and writes
// [input | contribution map | overlay] for the predicted class (or CLASS) as a
// PNG. Red pixels speak for the class, blue ones against it; the map adds up
// to the class logit minus the model's logit bias.
//
// usage: explain_one CHECKPOINT IMAGE.png OUT.png [CLASS]
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include "coda/coda.h"
#include "coda/png_image.h"
#include "coda/visualize.h"

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) {
        std::fprintf(stderr, "usage: %s CHECKPOINT IMAGE.png OUT.png [CLASS]\n", argv[0]);
        return 2;
    }
    try {
        coda::Classifier net = coda::Classifier::load(argv[1]);
        coda::Tensor image = net.read_image(argv[2]);  // (1, C, H, W)
        coda::Classification c = net.classify(image);
        const int cls = argc == 5 ? std::stoi(argv[4]) : c.predicted[0];
        coda::Explanations e = net.explain(image, {cls});

        // The picture helpers take one image (C, H, W) and one map (H, W).
        const coda::Shape shape = net.image_shape();
        const coda::Tensor picture(shape, image.values());
        const coda::Tensor map({shape[1], shape[2]}, e.maps.values());
        const int scale = std::max<int>(1, 128 / static_cast<int>(shape[2]));
        coda::RgbImage panel = coda::compose_grid(
            std::vector<coda::RgbImage>{coda::upscale(coda::tensor_to_image(picture), scale),
                                        coda::upscale(coda::bwr_image(map), scale),
                                        coda::upscale(coda::overlay(picture, map), scale)},
            3);
        coda::write_png(argv[3], panel);

        double map_sum = 0;
        for (float v : e.maps.values()) {
            map_sum += v;
        }
        const int p = c.predicted[0];
        std::printf(
            "predicted %s (p = %.3f); explained %s: logit %.4f = map sum %.4f + bias %.4f\n",
            net.class_name(p).c_str(), c.probabilities[p], net.class_name(cls).c_str(), e.logits[0],
            map_sum, net.logit_bias());
        std::printf("wrote %s\n", argv[3]);
    } catch (const std::exception &e) {  // coda::Error, or a CLASS that is not a number
        std::fprintf(stderr, "explain_one: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
