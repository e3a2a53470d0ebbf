// The model file's text, for writers that place it themselves (the command line writes it to
// the output it planned before training). save_model and load_model are in linsgd/model.hpp.
#pragma once

#include <string>

#include "linsgd/model.hpp"

namespace linsgd {

// The JSON of the model file, as save_model writes it: floats with enough digits to read back
// bit-exact, and nothing that varies from run to run of the same seed, data and options.
std::string model_json(const Model& model);

// The model in `text`, a model file's content; as load_model, with `source` naming it in
// messages (the fuzz target enters here).
Model parse_model(const std::string& text, const std::string& source);

}  // namespace linsgd
