// DataView: a dataset's arrays, borrowed.
#include <string>

#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

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
  return view;
}

}  // namespace linsgd
