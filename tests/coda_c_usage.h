/* What tests/coda_c_usage.c (C code on the C API) found, for coda_c_test. */
#ifndef CODA_TESTS_CODA_C_USAGE_H
#define CODA_TESTS_CODA_C_USAGE_H

#ifdef __cplusplus
extern "C" {
#endif

#define CODA_C_USAGE_MAX_PIXELS 4096

struct coda_c_usage_result {
    int num_classes, height, width;
    int predicted;
    char class_name[64];
    float logit, logit_bias;
    double map_sum;
    float map[CODA_C_USAGE_MAX_PIXELS];
    char error[512];
};

/* Loads checkpoint, reads png, classifies and explains it; 0 on success, else
 * 1 with result->error set. */
int coda_c_usage(const char *checkpoint, const char *png, struct coda_c_usage_result *result);

#ifdef __cplusplus
}
#endif

#endif
