// DataView: a dataset's arrays, borrowed; and the rules its targets and sample weights follow.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/number_text.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

void require_usable_weights(const float* weights, int64_t rows, const std::string& source,
                            bool some_positive, int64_t first_row) {
  double sum = 0.0;
  for (int64_t i = 0; i < rows; ++i) {
    const float weight = weights[i];
    if (!std::isfinite(weight) || weight < 0.0f) {
      // An infinity read from a file is most often a float64 past float's range (1e300).
      throw InputError(source + ": row " + std::to_string(first_row + i) +
                       " (counted from 0): sample weight " + number_text(weight) +
                       " (must be finite and >= 0" +
                       (std::isinf(weight) ? "; a value beyond float's range reads as inf)" : ")"));
    }
    sum += weight;
  }
  if (some_positive && rows > 0 && !(sum > 0.0)) {
    throw InputError(source + ": every sample weight is 0");
  }
}

void require_finite_targets(const float* y, int64_t rows, const std::string& source,
                            int64_t first_row) {
  const float* bad = std::find_if(y, y + rows, [](float value) { return !std::isfinite(value); });
  if (bad != y + rows) {
    throw InputError(source + ": row " + std::to_string(first_row + (bad - y)) +
                     " (counted from 0): the target is " + number_text(*bad) + " (not finite)");
  }
}

DataView view_of(const Dataset& data) {
  if (!data.has_target()) throw InputError(data.source + ": no target column to train on");
  if (static_cast<int64_t>(data.X.size()) != data.rows * data.features ||
      static_cast<int64_t>(data.y.size()) != data.rows ||
      (data.has_sample_weights() &&
       static_cast<int64_t>(data.sample_weights.size()) != data.rows)) {
    throw InputError(data.source + ": X, y or the sample weights do not match " +
                     std::to_string(data.rows) + " rows x " + std::to_string(data.features) +
                     " features");
  }
  DataView view;
  view.rows = data.rows;
  view.features = data.features;
  view.X = data.X.data();
  view.y = data.y.data();
  view.sample_weights = data.has_sample_weights() ? data.sample_weights.data() : nullptr;
  view.memory = MemoryKind::kHost;
  view.source = data.source;
  view.feature_names = data.feature_names;
  return view;
}

}  // namespace linsgd
