// Fuzz target of the model file reader: any text is a model or refused with linsgd::Error; a
// model read must be consistent (sizes agree, numbers finite, scales positive), or the target
// aborts.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "linsgd/errors.hpp"
#include "model/model_file.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const linsgd::Model model =
        linsgd::parse_model(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
    const size_t d = model.weights.size();
    require(d > 0 && model.feature_names.size() == d);
    require(std::isfinite(model.bias));
    for (float w : model.weights) require(std::isfinite(w));
    if (model.standardization) {
      require(model.standardization->mean.size() == d && model.standardization->scale.size() == d);
      for (float scale : model.standardization->scale)
        require(scale > 0.0f && std::isfinite(scale));
    }
  } catch (const linsgd::Error&) {
  }
  return 0;
}
