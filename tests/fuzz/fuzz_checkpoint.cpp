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
    // The losses stay in their file (read_checkpoint reads it); the count is the steps done.
    require(state.loss_history.empty());
    require(!checkpoint.losses ||
            (checkpoint.losses->count == state.steps_done && !checkpoint.losses->name.empty() &&
             checkpoint.losses->name.find('/') == std::string::npos &&
             checkpoint.losses->digest.size() == 16));
    require(state.learning_rate > 0.0 && std::isfinite(state.learning_rate));
    require(state.first_learning_rate > 0.0 && std::isfinite(state.first_learning_rate));
    require(!std::isnan(state.best_objective) && state.evaluations_without_improvement >= 0);
    for (float w : state.weights) require(std::isfinite(w));
  } catch (const linsgd::Error&) {
  }
  return 0;
}
