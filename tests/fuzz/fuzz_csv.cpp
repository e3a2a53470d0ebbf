// Fuzz target of the CSV reader (and the gzip inflation in front of it): the first byte picks
// the read options (header mode, delimiter, target, matching by name, threads), the rest is the
// file. Any input is read or refused with linsgd::Error; a dataset read must be consistent, or
// the target aborts.
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
  options.header = static_cast<linsgd::HeaderMode>(knobs % 3);
  if ((knobs & 4) != 0) options.delimiter = ';';
  if ((knobs & 8) != 0) options.target = (knobs & 16) != 0 ? "b" : "-1";
  if ((knobs & 32) != 0) {
    options.feature_names = {"a", "b"};
    options.target_name = "y";
  }
  if ((knobs & 64) != 0) options.features_if_no_target = 2;
  options.parse_threads = (knobs & 128) != 0 ? 2 : 1;
  try {
    const linsgd::InputBytes input("fuzz.csv", std::vector<char>(data + 1, data + size),
                                   size_t{1} << 26);
    const linsgd::Dataset dataset = linsgd::read_dataset(input, options);
    require(dataset.rows > 0 && dataset.features >= 0);
    require(dataset.X.size() == static_cast<size_t>(dataset.rows * dataset.features));
    require(dataset.y.empty() || dataset.y.size() == static_cast<size_t>(dataset.rows));
    require(dataset.feature_names.size() == static_cast<size_t>(dataset.features));
    for (float value : dataset.X) require(std::isfinite(value));
    for (float value : dataset.y) require(std::isfinite(value));
  } catch (const linsgd::Error&) {
  }
  return 0;
}
