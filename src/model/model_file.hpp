// The model file's text, for writers that place it themselves (the command line writes it to
// the output it planned before training). save_model and load_model are in linsgd/model.hpp.
#pragma once

#include <string>

#include "linsgd/model.hpp"

namespace linsgd {

// The JSON of the model file, as save_model writes it: floats with enough digits to read back
// bit-exact, and nothing that varies from run to run of the same seed, data and options.
std::string model_json(const Model& model);

}  // namespace linsgd
