// Fuzz target of the .npy reader: the first byte picks the target column (last, first, or
// none) and whether a model's feature names are given; the rest is the file. Any input is read
// or refused with linsgd::Error; a dataset read must be consistent, or the target aborts.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "io/dataset_reader.hpp"
#include "linsgd/errors.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t knobs = data[0];
  linsgd::ReadOptions options;
  if ((knobs & 1) != 0) options.target = "0";
  if ((knobs & 2) != 0) options.features_if_no_target = 2;
  if ((knobs & 4) != 0) options.feature_names = {"x0", "x1"};
  try {
    const linsgd::InputBytes input("fuzz.npy", std::vector<char>(data + 1, data + size),
                                   size_t{1} << 26);
    const linsgd::Dataset dataset = linsgd::read_dataset(input, options);
    require(dataset.rows > 0 && dataset.features > 0);
    require(dataset.X.size() == static_cast<size_t>(dataset.rows * dataset.features));
    require(dataset.y.empty() || dataset.y.size() == static_cast<size_t>(dataset.rows));
    for (float value : dataset.X) require(std::isfinite(value));
    for (float value : dataset.y) require(std::isfinite(value));
  } catch (const linsgd::Error&) {
  }
  return 0;
}
