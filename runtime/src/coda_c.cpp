// The C API (coda/coda_c.h) over coda::Classifier: exceptions become status
// codes and a per-thread message.
#include "coda/coda_c.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "coda/coda.h"

struct coda_classifier {
    explicit coda_classifier(coda::Classifier c) : net(std::move(c)) {
        for (int k = 0; k < net.num_classes(); k++) {
            names.push_back(net.class_name(k));
        }
    }
    coda::Classifier net;
    std::vector<std::string> names;  // class_name(k) for every k, for const char * results
};

namespace {

thread_local std::string last_error;

// Runs body, turning what it throws into a status and the thread's message.
template<typename Body>
coda_status guarded(Body body) {
    last_error.clear();
    try {
        body();
        return CODA_OK;
    } catch (const coda::Error &e) {
        last_error = e.what();
        return CODA_ERROR_FAILED;
    } catch (const std::bad_alloc &) {
        last_error = "out of memory";
        return CODA_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception &e) {
        last_error = std::string("internal error: ") + e.what();
        return CODA_ERROR_INTERNAL;
    } catch (...) {
        last_error = "internal error: unknown exception";
        return CODA_ERROR_INTERNAL;
    }
}

coda_status argument_error(const std::string &message) {
    last_error = message;
    return CODA_ERROR_ARGUMENT;
}

// A batch of n images as a tensor (a copy: the API never keeps caller memory).
coda::Tensor batch_of(const coda::Classifier &net, const float *images, int n) {
    coda::Shape shape = net.image_shape();
    shape.insert(shape.begin(), n);
    return coda::Tensor(shape, coda::Floats(images, images + coda::element_count(shape)));
}

}  // namespace

extern "C" {

const char *coda_last_error(void) {
    return last_error.c_str();
}

coda_status coda_classifier_load(const char *checkpoint_path, coda_classifier **out) {
    if (out) {
        *out = nullptr;
    }
    last_error.clear();
    if (!checkpoint_path || !out) {
        return argument_error("coda_classifier_load: checkpoint_path and out must not be NULL");
    }
    return guarded([&] { *out = new coda_classifier(coda::Classifier::load(checkpoint_path)); });
}

void coda_classifier_free(coda_classifier *classifier) {
    last_error.clear();
    delete classifier;
}

coda_status coda_classifier_info(const coda_classifier *classifier, int *num_classes, int *channels,
                                 int *height, int *width) {
    last_error.clear();
    if (!classifier) {
        return argument_error("coda_classifier_info: classifier is NULL");
    }
    return guarded([&] {
        const coda::Shape shape = classifier->net.image_shape();
        int *outs[] = {channels, height, width};
        for (int i = 0; i < 3; i++) {
            if (outs[i]) {
                *outs[i] = static_cast<int>(shape.at(i));
            }
        }
        if (num_classes) {
            *num_classes = classifier->net.num_classes();
        }
    });
}

const char *coda_classifier_class_name(const coda_classifier *classifier, int k) {
    last_error.clear();
    if (!classifier) {
        argument_error("coda_classifier_class_name: classifier is NULL");
        return nullptr;
    }
    if (k < 0 || k >= static_cast<int>(classifier->names.size())) {
        last_error = "coda_classifier_class_name: class " + std::to_string(k) + " is outside 0.." +
                     std::to_string(classifier->names.size() - 1);
        return nullptr;
    }
    return classifier->names[k].c_str();
}

float coda_classifier_logit_bias(const coda_classifier *classifier) {
    last_error.clear();
    return classifier ? classifier->net.logit_bias() : 0.0f;
}

coda_status coda_read_image(const coda_classifier *classifier, const char *png_path, float *image) {
    last_error.clear();
    if (!classifier || !png_path || !image) {
        return argument_error("coda_read_image: classifier, png_path and image must not be NULL");
    }
    return guarded([&] {
        coda::Tensor t = classifier->net.read_image(png_path);
        std::copy(t.values().begin(), t.values().end(), image);
    });
}

coda_status coda_classify(const coda_classifier *classifier, const float *images, int n,
                          float *logits, float *probabilities, int *predicted) {
    last_error.clear();
    if (!classifier || !images) {
        return argument_error("coda_classify: classifier and images must not be NULL");
    }
    if (n < 1) {
        return argument_error("coda_classify: n is " + std::to_string(n) + "; it must be >= 1");
    }
    return guarded([&] {
        coda::Classification c = classifier->net.classify(batch_of(classifier->net, images, n));
        if (logits) {
            std::copy(c.logits.values().begin(), c.logits.values().end(), logits);
        }
        if (probabilities) {
            std::copy(c.probabilities.values().begin(), c.probabilities.values().end(),
                      probabilities);
        }
        if (predicted) {
            std::copy(c.predicted.begin(), c.predicted.end(), predicted);
        }
    });
}

coda_status coda_explain(const coda_classifier *classifier, const float *images, int n,
                         const int *classes, float *maps, float *logits) {
    last_error.clear();
    if (!classifier || !images || !maps) {
        return argument_error("coda_explain: classifier, images and maps must not be NULL");
    }
    if (n < 1) {
        return argument_error("coda_explain: n is " + std::to_string(n) + "; it must be >= 1");
    }
    return guarded([&] {
        coda::Tensor batch = batch_of(classifier->net, images, n);
        coda::Explanations e =
            classes ? classifier->net.explain(batch, std::vector<int>(classes, classes + n))
                    : classifier->net.explain(batch);
        std::copy(e.maps.values().begin(), e.maps.values().end(), maps);
        if (logits) {
            std::copy(e.logits.begin(), e.logits.end(), logits);
        }
    });
}

}  // extern "C"
