// Times the two CPU backward forms (generators/coda_layer_algorithm.h) on
// every layer of a model at growing batch sizes, and chooses per layer class
// up to which size of call the runtime runs the materialised one.
#pragma once

#include <string>
#include <vector>

#include "coda_layer_pipelines.h"
#include "coda_layer_schedule.h"

namespace coda::tools {

struct BackwardFormRun {
    std::vector<LayerShape> layers;
    std::vector<int> batches;  // ascending
    int reps;                  // runs per median
    FamilyTunings tunings;     // each class's backward tuning serves both forms
    std::string command, config;
};

// The text of schedules/x86/backward_form_caps.h.
std::string choose_backward_form(const BackwardFormRun &run);

}  // namespace coda::tools
