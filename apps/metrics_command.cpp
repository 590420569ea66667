// coda metrics: explanation quality of a checkpoint against post-hoc
// attribution methods (spec section 5): the localisation metric on n x n
// grids and the pixel-removal curve, as a table, CSV files and charts.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "HalideRuntime.h"
#include "coda/metrics.h"
#include "coda/plot.h"
#include "coda/trainer.h"
#include "commands.h"
#include "data_source.h"

namespace coda::app {

namespace {

struct MetricsCommand {
    DataOptions data;
    std::string checkpoint, out_dir = "out/metrics";
    std::string methods = "coda,grad,ixg,intgrad,occ5,occ9";
    std::string metric = "both";
    int grid = 3, samples = 100, grids = 0, removal_images = 0;
    std::string ig_rule = "gauss-legendre";
    int ig_steps = 20, occ_stride = 2, rise_masks = 6000, batch = 64, examples = 3;
    double removal_max = 0.25;
    int removal_step = 0;
    bool most_first = false;
    uint64_t seed = 42;
};

// The spec's order of methods (table 6.1), used for every table and chart.
int display_rank(const AttributionMethod &m) {
    switch (m.kind) {
    case AttributionKind::coda:
        return 0;
    case AttributionKind::occlusion:
        return 1000 - m.window;  // larger windows first
    case AttributionKind::rise:
        return 2000;
    case AttributionKind::integrated_gradients:
        return 3000;
    case AttributionKind::input_x_gradient:
        return 4000;
    case AttributionKind::gradient:
        return 5000;
    }
    return 9999;
}

std::string display_name(const AttributionMethod &m) {
    switch (m.kind) {
    case AttributionKind::coda:
        return "CoDA (ours)";
    case AttributionKind::occlusion:
        return "Occ" + std::to_string(m.window);
    case AttributionKind::rise:
        return "RISE";
    case AttributionKind::integrated_gradients:
        return "IntGrad";
    case AttributionKind::input_x_gradient:
        return "IxG";
    case AttributionKind::gradient:
        return "Grad";
    }
    return m.name;
}

// A fixed colour per method, whatever else is plotted with it.
Rgb method_color(const AttributionMethod &m) {
    switch (m.kind) {
    case AttributionKind::coda:
        return palette_color(3);
    case AttributionKind::occlusion:
        return m.window == 9   ? palette_color(1)
               : m.window == 5 ? palette_color(5)
                               : palette_color(8);
    case AttributionKind::rise:
        return palette_color(6);
    case AttributionKind::integrated_gradients:
        return palette_color(4);
    case AttributionKind::input_x_gradient:
        return palette_color(2);
    case AttributionKind::gradient:
        return palette_color(0);
    }
    return palette_color(7);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void write_text(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.good()) {
        throw Error("cannot write " + path);
    }
}

// A grid image with the explained cell framed in green, enlarged.
RgbImage framed_grid(const Tensor &grid, int n, int cell, int scale) {
    RgbImage img = upscale(tensor_to_image(grid), scale);
    const int h = img.height / n, w = img.width / n;
    const int y0 = (cell % n) * h, x0 = (cell / n) * w;
    for (int t = 0; t < 2 * scale; t++) {
        for (int x = x0; x < x0 + w; x++) {
            for (int y : {y0 + t, y0 + h - 1 - t}) {
                uint8_t *p = img.pixel(x, y);
                p[0] = 40, p[1] = 200, p[2] = 40;
            }
        }
        for (int y = y0; y < y0 + h; y++) {
            for (int x : {x0 + t, x0 + w - 1 - t}) {
                uint8_t *p = img.pixel(x, y);
                p[0] = 40, p[1] = 200, p[2] = 40;
            }
        }
    }
    return img;
}

// The colour range of a map in the example sheet: the 99.5th percentile of
// |value| (spec 4.3 uses a high percentile), so a few extreme pixels do not
// wash out the rest; the maximum if that is 0.
float robust_vmax(const Tensor &map) {
    std::vector<double> mags;
    for (float v : map.values()) {
        mags.push_back(std::fabs(v));
    }
    const double q = quantile(mags, 0.995);
    return q > 0 ? static_cast<float>(q) : max_abs(map);
}

// A header tile: the method's colour square and name.
RgbImage label_tile(const std::string &text, Rgb color, int width) {
    RgbImage t = make_image(width, 26, 255, 255, 255);
    for (int y = 4; y < 22; y++) {
        for (int x = 2; x < 20; x++) {
            uint8_t *p = t.pixel(x, y);
            p[0] = color.r, p[1] = color.g, p[2] = color.b;
        }
    }
    draw_text(t, 26, 6, text, {0, 0, 0}, 2);
    return t;
}

struct LocalisationRun {
    std::vector<GridSample> grids;
    Tensor images;
    std::vector<LocalisationResult> results;  // per method
};

LocalisationRun run_localisation(const MetricsCommand &c, const CodaNet &net, const Dataset &test,
                                 const std::vector<AttributionMethod> &methods, bool progress) {
    LocalisationRun run;
    const int n = c.grid, wanted = c.grids > 0 ? c.grids : c.samples;
    Tensor logits = dataset_logits(net, test, 256, progress);
    std::vector<int64_t> order = localisation_order(logits, test.labels, n * n, c.seed);
    run.grids = localisation_grids(order, test.labels, n, wanted);
    if (run.grids.empty()) {
        throw Error(
            "no localisation grid: fewer than " + std::to_string(n * n + 1) +
            " classes have a correctly and confidently (sigmoid > 0.5) classified test image");
    }
    if (int(run.grids.size()) < wanted) {
        std::printf(
            "note: only %zu of %d localisation grids available (confident images ran out)\n",
            run.grids.size(), wanted);
    }
    run.images = grid_images(test.images, run.grids, n);
    CodaNet grid_net = grid_model(net, n);
    for (const AttributionMethod &m : methods) {
        auto t0 = std::chrono::steady_clock::now();
        run.results.push_back(localisation(grid_net, run.images, run.grids, n, m, c.examples,
                                           progress ? "localisation " + m.name : ""));
        std::printf("localisation %-8s %zu scores in %.1f s\n", m.name.c_str(),
                    run.results.back().scores.size(), seconds_since(t0));
        std::fflush(stdout);
    }
    return run;
}

std::vector<RemovalCurve> run_removal(const MetricsCommand &c, const CodaNet &net,
                                      const Dataset &test,
                                      const std::vector<AttributionMethod> &methods, bool progress,
                                      int64_t &count) {
    count = std::min<int64_t>(test.size(), c.removal_images > 0 ? c.removal_images : c.samples);
    std::vector<int> rows;
    for (int64_t i = 0; i < count; i++) {
        rows.push_back(static_cast<int>(i));
    }
    Tensor images = select_rows(test.images, rows);
    std::vector<int> labels(test.labels.begin(), test.labels.begin() + count);
    PixelRemovalOptions o;
    o.max_fraction = c.removal_max, o.step = c.removal_step, o.most_important_first = c.most_first;
    o.batch = c.batch;
    std::vector<RemovalCurve> curves;
    for (const AttributionMethod &m : methods) {
        auto t0 = std::chrono::steady_clock::now();
        curves.push_back(
            pixel_removal(net, images, labels, m, o, progress ? "removal " + m.name : ""));
        std::printf("pixel removal %-8s %lld images in %.1f s\n", m.name.c_str(), (long long)count,
                    seconds_since(t0));
        std::fflush(stdout);
    }
    return curves;
}

// metrics.csv: one `metric,method,statistic,value` row per number.
struct Csv {
    std::string text = "metric,method,statistic,value\n";
    void add(const std::string &metric, const std::string &method, const std::string &stat,
             double v) {
        char s[64];
        std::snprintf(s, sizeof s, "%.6f", v);
        text += metric + "," + method + "," + stat + "," + s + "\n";
    }
};

// The localisation table, scores CSV, box plot and example sheet.
void report_localisation(const MetricsCommand &c, const ModelConfig &mc,
                         const std::vector<AttributionMethod> &methods, const LocalisationRun &loc,
                         Csv &csv) {
    const int n = c.grid;
    std::printf("\nLocalisation: %zu %dx%d grids of %dx%d images (%zu scores per method); "
                "uniform = %.3f, oracle = 1\n",
                loc.grids.size(), n, n, mc.image_height, mc.image_width, loc.grids.size() * n * n,
                1.0 / (n * n));
    std::printf("  %-8s %8s %8s %8s %8s\n", "method", "mean", "median", "q1", "q3");
    BoxPlot box;
    box.title = "Localisation, " + std::to_string(n) + "x" + std::to_string(n) + " grids (" +
                std::to_string(loc.grids.size()) + ")";
    box.y_label = "share of positive attribution in the correct cell";
    box.y_min = 0, box.y_max = 1;
    box.reference_lines = {{1.0 / (n * n), "uniform 1/" + std::to_string(n * n)}};
    std::string scores_csv = "grid,cell,image,class";
    for (const AttributionMethod &m : methods) {
        scores_csv += "," + m.name;
    }
    scores_csv += "\n";
    for (size_t g = 0; g < loc.grids.size(); g++) {
        for (int i = 0; i < n * n; i++) {
            scores_csv += std::to_string(g) + "," + std::to_string(i) + "," +
                          std::to_string(loc.grids[g].images[i]) + "," +
                          std::to_string(loc.grids[g].classes[i]);
            for (const LocalisationResult &r : loc.results) {
                char v[32];
                std::snprintf(v, sizeof v, ",%.6f", r.scores[g * n * n + i]);
                scores_csv += v;
            }
            scores_csv += "\n";
        }
    }
    for (size_t k = 0; k < methods.size(); k++) {
        const std::vector<double> &sc = loc.results[k].scores;
        BoxStats b = box_stats(sc);
        std::printf("  %-8s %8.3f %8.3f %8.3f %8.3f\n", methods[k].name.c_str(), b.mean, b.median,
                    b.q1, b.q3);
        csv.add("localisation", methods[k].name, "mean", b.mean);
        csv.add("localisation", methods[k].name, "median", b.median);
        csv.add("localisation", methods[k].name, "q1", b.q1);
        csv.add("localisation", methods[k].name, "q3", b.q3);
        csv.add("localisation", methods[k].name, "count", double(sc.size()));
        box.names.push_back(display_name(methods[k]));
        box.colors.push_back(method_color(methods[k]));
        box.boxes.push_back(b);
    }
    write_text(c.out_dir + "/localisation_scores.csv", scores_csv);
    write_png(c.out_dir + "/localisation.png", draw_box_plot(box));
    write_text(c.out_dir + "/localisation.svg", box_plot_svg(box));

    // Example sheet: per shown (grid, cell), the grid with the cell framed
    // and each method's map for that cell's class (bwr, each map its own
    // symmetric range).
    const int scale = std::max(1, 168 / (n * mc.image_height));
    const int tile = n * mc.image_width * scale;
    std::vector<std::vector<RgbImage>> rows;
    std::vector<RgbImage> header = {label_tile("", {255, 255, 255}, tile)};
    for (const AttributionMethod &m : methods) {
        header.push_back(label_tile(display_name(m), method_color(m), tile));
    }
    rows.push_back(header);
    const int shown = std::min<int>(c.examples, int(loc.grids.size()));
    for (int gi = 0; gi < shown; gi++) {
        for (int cell : {0, (n * n) / 2}) {
            Tensor grid = select_rows(loc.images, {gi});
            grid = Tensor({grid.dim(1), grid.dim(2), grid.dim(3)}, grid.values());
            std::vector<RgbImage> row = {framed_grid(grid, n, cell, scale)};
            for (const LocalisationResult &r : loc.results) {
                Tensor map = select_rows(r.example_maps.at(gi), {cell});
                map = Tensor({map.dim(1), map.dim(2)}, map.values());
                row.push_back(upscale(bwr_image(map, robust_vmax(map)), scale));
            }
            rows.push_back(row);
            if (n * n == 1) {
                break;
            }
        }
    }
    if (shown > 0) {
        write_png(c.out_dir + "/examples.png", compose_grid(rows, 4));
    }
}

// The pixel-removal table, curves CSV and line plot.
void report_removal(const MetricsCommand &c, const ModelConfig &mc,
                    const std::vector<AttributionMethod> &methods,
                    const std::vector<RemovalCurve> &curves, int64_t removal_count, Csv &csv) {
    const char *stamp_pct[] = {"0", "5", "10", "15", "25"};
    const double stamp_at[] = {0.0, 0.05, 0.10, 0.15, 0.25};
    const RemovalCurve &first = curves.front();
    std::printf("\nPixel removal: first %lld test images, %s important first, up to %.0f%% of "
                "%d pixels, %zu points; mean sigmoid probability of the label class\n",
                (long long)removal_count, c.most_first ? "most" : "least", 100 * c.removal_max,
                mc.image_height * mc.image_width, first.removed.size());
    std::printf("  %-8s %7s %7s %7s %7s %7s %11s\n", "method", "0%", "5%", "10%", "15%", "25%",
                "curve mean");
    LinePlot lp;
    lp.title = std::string("Pixel removal (") + (c.most_first ? "most" : "least") +
               " important first), " + std::to_string(removal_count) + " images";
    lp.x_label = "pixels removed (%)";
    lp.y_label = "probability of the label class";
    std::string curve_csv = "removed,fraction";
    for (const AttributionMethod &m : methods) {
        curve_csv += "," + m.name;
    }
    curve_csv += "\n";
    for (size_t j = 0; j < first.removed.size(); j++) {
        char v[64];
        std::snprintf(v, sizeof v, "%d,%.6f", first.removed[j], first.fraction[j]);
        curve_csv += v;
        for (const RemovalCurve &cv : curves) {
            std::snprintf(v, sizeof v, ",%.6f", cv.probability[j]);
            curve_csv += v;
        }
        curve_csv += "\n";
    }
    for (size_t k = 0; k < methods.size(); k++) {
        const RemovalCurve &cv = curves[k];
        const double curve_mean = mean(cv.probability);
        std::printf("  %-8s", methods[k].name.c_str());
        for (int j = 0; j < 5; j++) {
            const double v = curve_at(cv, stamp_at[j]);
            std::printf(" %7.3f", v);
            csv.add("pixel_removal", methods[k].name, std::string("at_") + stamp_pct[j] + "pct", v);
        }
        std::printf(" %11.3f\n", curve_mean);
        csv.add("pixel_removal", methods[k].name, "curve_mean", curve_mean);
        LineSeries series{display_name(methods[k]), method_color(methods[k]), {}, cv.probability};
        for (double f : cv.fraction) {
            series.x.push_back(100 * f);
        }
        lp.series.push_back(series);
    }
    // probabilities: the top is 1, the bottom a round value below the lowest point
    double lowest = 1;
    for (const LineSeries &ls : lp.series) {
        lowest = std::min(lowest, *std::min_element(ls.y.begin(), ls.y.end()));
    }
    lp.x_min = 0, lp.x_max = 100 * c.removal_max;
    lp.y_min = std::max(0.0, std::floor(lowest * 10 - 0.2) / 10), lp.y_max = 1;
    write_text(c.out_dir + "/pixel_removal.csv", curve_csv);
    write_png(c.out_dir + "/pixel_removal.png", draw_line_plot(lp));
    write_text(c.out_dir + "/pixel_removal.svg", line_plot_svg(lp));
}

void run(const MetricsCommand &c, const GlobalOptions &g) {
    apply_globals(g);
    std::vector<AttributionMethod> methods = parse_attribution_methods(c.methods);
    std::stable_sort(methods.begin(), methods.end(), [](const auto &a, const auto &b) {
        return display_rank(a) < display_rank(b);
    });
    for (AttributionMethod &m : methods) {
        m.rule =
            c.ig_rule == "midpoint" ? IntegrationRule::midpoint : IntegrationRule::gauss_legendre;
        m.steps = c.ig_steps, m.stride = c.occ_stride, m.masks = c.rise_masks, m.batch = c.batch;
        m.seed = c.seed;
    }
    TrainingState s = load_training(c.checkpoint);
    const CodaNet &net = s.net;
    Dataset test = load_data(c.data, false).test;
    const ModelConfig &mc = net.config();
    if (test.images.dim(1) != mc.image_channels || test.images.dim(2) != mc.image_height ||
        test.images.dim(3) != mc.image_width) {
        throw Error("the test images are " + to_string(test.images.shape()) +
                    " but the model expects " + std::to_string(mc.image_channels) + "x" +
                    std::to_string(mc.image_height) + "x" + std::to_string(mc.image_width));
    }
    std::filesystem::create_directories(c.out_dir);
    const bool progress = !g.quiet;
    const bool do_loc = c.metric != "removal", do_removal = c.metric != "localisation";

    LocalisationRun loc;
    std::vector<RemovalCurve> curves;
    int64_t removal_count = 0;
    if (do_loc) {
        loc = run_localisation(c, net, test, methods, progress);
    }
    if (do_removal) {
        curves = run_removal(c, net, test, methods, progress, removal_count);
    }

    Csv csv;
    if (do_loc) {
        report_localisation(c, mc, methods, loc, csv);
    }
    if (do_removal) {
        report_removal(c, mc, methods, curves, removal_count, csv);
    }
    write_text(c.out_dir + "/metrics.csv", csv.text);
    std::printf("\nwrote %s/metrics.csv and the charts\n", c.out_dir.c_str());
}

}  // namespace

void add_metrics_command(CLI::App &app, const GlobalOptions &global) {
    auto c = std::make_shared<MetricsCommand>();
    CLI::App *cmd = app.add_subcommand(
        "metrics", "explanation quality: localisation and pixel removal against post-hoc methods");
    cmd->add_option("--checkpoint", c->checkpoint, "checkpoint file")->required();
    add_data_options(cmd, c->data);
    cmd->add_option("--methods", c->methods,
                    "comma-separated: coda, grad, ixg, intgrad, occ<K> (e.g. occ5, occ9), rise")
        ->capture_default_str();
    cmd->add_option("--metric", c->metric, "which metrics: both, localisation or removal")
        ->check(CLI::IsMember({"both", "localisation", "removal"}))
        ->capture_default_str();
    cmd->add_option("--grid", c->grid, "localisation grids of n x n images")
        ->check(CLI::Range(1, 8))
        ->capture_default_str();
    cmd->add_option("--samples", c->samples,
                    "localisation grids and pixel-removal images (spec: 500 and 1024)")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd->add_option("--grids", c->grids, "localisation grids (default: --samples)")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--removal-images", c->removal_images,
                    "pixel-removal images (default: --samples)")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--removal-max", c->removal_max, "remove up to this share of the pixels")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_option("--removal-step", c->removal_step,
                    "evaluate every k-th removal (0: max(1, removed/128), as the reference)")
        ->check(CLI::Range(0, 1000000))
        ->capture_default_str();
    cmd->add_flag("--most-first", c->most_first, "remove the most important pixels first");
    cmd->add_option("--ig-steps", c->ig_steps, "Integrated Gradients steps")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cmd->add_option("--ig-rule", c->ig_rule,
                    "Integrated Gradients points: gauss-legendre (captum's default) or midpoint")
        ->check(CLI::IsMember({"gauss-legendre", "midpoint"}))
        ->capture_default_str();
    cmd->add_option("--occ-stride", c->occ_stride, "occlusion stride")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cmd->add_option("--rise-masks", c->rise_masks, "RISE masks per image")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd->add_option("--batch", c->batch, "images per pipeline call")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    cmd->add_option("--examples", c->examples, "grids shown in examples.png")
        ->check(CLI::Range(0, 100))
        ->capture_default_str();
    cmd->add_option("--seed", c->seed, "grid selection and RISE masks")->capture_default_str();
    cmd->add_option("--out-dir", c->out_dir, "output folder")->capture_default_str();
    cmd->callback([c, &global] { run(*c, global); });
}

}  // namespace coda::app
