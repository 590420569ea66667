// Writes what apps/examples/explain_one needs, in a second: a checkpoint of a
// small untrained CoDA-Net (1x16x16 grey images, 3 classes) and a 16x16 PNG.
// Used by scripts/install_example_check.sh, where training would take minutes.
//
// usage: example_inputs DIR   (writes DIR/model.safetensors and DIR/image.png)
#include <cstdio>
#include <exception>
#include <filesystem>

#include "coda/png_image.h"
#include "coda/trainer.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    try {
        const std::filesystem::path dir = argv[1];
        std::filesystem::create_directories(dir);
        coda::RunConfig config;
        config.model.image_channels = 1, config.model.image_height = 16,
        config.model.image_width = 16;
        config.model.input_pad = 1;
        config.model.temperature = 8;
        config.model.layers = {{8, 4, 3, 1, 1}, {8, 4, 3, 2, 1}, {3, 4, 3, 1, 1}};
        coda::TrainingState state = coda::new_training(config);
        state.class_names = {"ring", "bar", "dot"};
        coda::save_training((dir / "model.safetensors").string(), state);

        coda::PngPixels ring{16, 16, 1, std::vector<uint8_t>(256)};
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                const int r2 = (x - 8) * (x - 8) + (y - 8) * (y - 8);
                ring.values[y * 16 + x] = r2 >= 16 && r2 <= 36 ? 230 : 20;
            }
        }
        coda::write_png((dir / "image.png").string(), ring);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "example_inputs: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
