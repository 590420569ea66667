/* The C API used from C (compiled as C11): the walk-through of coda/coda_c.h's
 * header comment on a checkpoint and a PNG. coda_c_test calls it and compares
 * its results with the C++ API's. */
#include "coda_c_usage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "coda/coda_c.h"

int coda_c_usage(const char *checkpoint, const char *png, struct coda_c_usage_result *result) {
    coda_classifier *net = NULL;
    if (coda_classifier_load(checkpoint, &net) != CODA_OK) {
        snprintf(result->error, sizeof result->error, "load: %s", coda_last_error());
        return 1;
    }
    int k = 0, c = 0, h = 0, w = 0;
    coda_classifier_info(net, &k, &c, &h, &w);
    float *image = malloc(sizeof(float) * (size_t)(c * h * w));
    float *map = malloc(sizeof(float) * (size_t)(h * w));
    int status = 1;
    if (!image || !map) {
        snprintf(result->error, sizeof result->error, "out of memory");
    } else if (coda_read_image(net, png, image) != CODA_OK ||
               coda_classify(net, image, 1, NULL, NULL, &result->predicted) != CODA_OK ||
               coda_explain(net, image, 1, NULL, map, &result->logit) != CODA_OK) {
        snprintf(result->error, sizeof result->error, "%s", coda_last_error());
    } else {
        const char *name = coda_classifier_class_name(net, result->predicted);
        snprintf(result->class_name, sizeof result->class_name, "%s", name ? name : "(null)");
        result->num_classes = k;
        result->height = h;
        result->width = w;
        result->map_sum = 0;
        for (int i = 0; i < h * w && i < CODA_C_USAGE_MAX_PIXELS; i++) {
            result->map[i] = map[i];
        }
        for (int i = 0; i < h * w; i++) {
            result->map_sum += map[i];
        }
        result->logit_bias = coda_classifier_logit_bias(net);
        status = 0;
    }
    free(map);
    free(image);
    coda_classifier_free(net);
    return status;
}
