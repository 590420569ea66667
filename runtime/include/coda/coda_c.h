/* The C API of CoDA-Halide: the embedding API of coda/coda.h (load a trained
 * CoDA-Net, classify images, explain its decisions) for C and for other
 * languages' foreign-function interfaces. It is a thin layer over
 * coda::Classifier and links the same way:
 *
 *     find_package(coda CONFIG REQUIRED)
 *     target_link_libraries(my_app PRIVATE coda::runtime)   (a C++ linker)
 *
 * Use:
 *
 *     #include "coda/coda_c.h"
 *
 *     coda_classifier *net = NULL;
 *     if (coda_classifier_load("model.safetensors", &net) != CODA_OK) {
 *         fprintf(stderr, "%s\n", coda_last_error());
 *         return 1;
 *     }
 *     int k, c, h, w;
 *     coda_classifier_info(net, &k, &c, &h, &w);
 *     float *image = malloc(sizeof(float) * c * h * w);
 *     float *map = malloc(sizeof(float) * h * w);
 *     int predicted;
 *     float logit;
 *     if (coda_read_image(net, "shoe.png", image) == CODA_OK &&
 *         coda_classify(net, image, 1, NULL, NULL, &predicted) == CODA_OK &&
 *         coda_explain(net, image, 1, NULL, map, &logit) == CODA_OK) {
 *         printf("%s\n", coda_classifier_class_name(net, predicted));
 *         ... map (h x w) sums to logit - coda_classifier_logit_bias(net) ...
 *     }
 *     free(map);
 *     free(image);
 *     coda_classifier_free(net);
 *
 * Arrays: images are N x C x H x W floats in [0, 1], row-major (PyTorch's
 * NCHW), with C, H, W from coda_classifier_info(); K is the number of classes
 * and classes are 0 .. K-1. Every output array is allocated by the caller with
 * the size given at its function (this API never allocates memory the caller
 * frees, except the classifier itself).
 *
 * Errors: every function that can fail returns a coda_status; on failure the
 * outputs are unspecified and coda_last_error() gives a one-line message (as
 * coda::Error's, naming the file, tensor or argument). The message belongs to
 * the calling thread and stays valid until that thread's next call of this
 * API; every call clears it.
 *
 * Threads: a classifier is only read after loading, so one classifier may
 * serve several threads at once; the pipelines run on Halide's thread pool
 * (HL_NUM_THREADS sets its size).
 */
#ifndef CODA_CODA_C_H
#define CODA_CODA_C_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum coda_status {
    CODA_OK = 0,
    /* A NULL pointer where an array or handle is required, or n < 1. */
    CODA_ERROR_ARGUMENT = 1,
    /* What coda::Error reports: a missing or corrupt checkpoint, an unreadable
     * or wrongly sized image, a class out of range, a pipeline error. */
    CODA_ERROR_FAILED = 2,
    CODA_ERROR_OUT_OF_MEMORY = 3,
    /* Any other failure (a bug: please report it with the message). */
    CODA_ERROR_INTERNAL = 4
} coda_status;

/* A loaded model; opaque. */
typedef struct coda_classifier coda_classifier;

/* The message of the failed call on this thread ("" if the last call
 * succeeded). Never NULL. */
const char *coda_last_error(void);

/* Reads a checkpoint written by `coda train`; on success *out owns the model
 * until coda_classifier_free(). */
coda_status coda_classifier_load(const char *checkpoint_path, coda_classifier **out);

/* Frees the model (NULL is allowed and does nothing). */
void coda_classifier_free(coda_classifier *classifier);

/* The number of classes K and the image shape C x H x W the model expects;
 * any output pointer may be NULL. */
coda_status coda_classifier_info(const coda_classifier *classifier, int *num_classes, int *channels,
                                 int *height, int *width);

/* The name of class k stored in the checkpoint, or its number if there is
 * none; owned by the classifier (valid until it is freed). NULL if k is out of
 * range (see coda_last_error()). */
const char *coda_classifier_class_name(const coda_classifier *classifier, int k);

/* b0: the part of every logit that no pixel contributes (0 if classifier is
 * NULL). */
float coda_classifier_logit_bias(const coda_classifier *classifier);

/* A PNG file as one image (C x H x W floats) in image. Grey files are
 * replicated for RGB models, RGB files reduced to luma for grey ones; the size
 * must be the model's. */
coda_status coda_read_image(const coda_classifier *classifier, const char *png_path, float *image);

/* Classifies n images. Outputs (each may be NULL): logits and probabilities
 * n x K (probabilities as trained: per-class sigmoid for BCE models, softmax
 * for cross-entropy ones), predicted n (the argmax of each row of logits). */
coda_status coda_classify(const coda_classifier *classifier, const float *images, int n,
                          float *logits, float *probabilities, int *predicted);

/* Explains class classes[i] of image i for each of the n images (classes may
 * be NULL: the predicted classes). maps: n x H x W, the contribution of every
 * pixel (all channels added) to that class's logit; map i sums to logits[i] -
 * coda_classifier_logit_bias() up to float rounding. logits (n) may be NULL. */
coda_status coda_explain(const coda_classifier *classifier, const float *images, int n,
                         const int *classes, float *maps, float *logits);

#ifdef __cplusplus
}
#endif

#endif /* CODA_CODA_C_H */
