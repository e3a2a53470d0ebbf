// Fuzz target of the checkpoint reader: any text is a checkpoint or refused with linsgd::Error;
// a checkpoint read must be consistent (sizes agree with its features and steps, numbers
// finite, rates positive), or the target aborts.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "linsgd/errors.hpp"
#include "model/checkpoint_file.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const linsgd::Checkpoint checkpoint = linsgd::parse_checkpoint(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
    const linsgd::TrainingState& state = checkpoint.state;
    const auto d = static_cast<size_t>(checkpoint.data.features);
    require(d > 0 && state.weights.size() == d && std::isfinite(state.bias));
    require(state.velocity.empty() || state.velocity.size() == d + 1);
    require(state.average.empty() || state.average.size() == d + 1);
    require(state.steps_done > 0);
    require(state.loss_history.empty() ||
            state.loss_history.size() == static_cast<size_t>(state.steps_done));
    require(state.learning_rate > 0.0 && std::isfinite(state.learning_rate));
    require(state.first_learning_rate > 0.0 && std::isfinite(state.first_learning_rate));
    require(!std::isnan(state.best_objective) && state.evaluations_without_improvement >= 0);
    for (float w : state.weights) require(std::isfinite(w));
    for (float loss : state.loss_history) require(std::isfinite(loss));
  } catch (const linsgd::Error&) {
  }
  return 0;
}
