// fit_standardization, standardize and split_validation.
#include "model/preprocessing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <vector>

#include "core/number_text.hpp"
#include "core/rng_plan.hpp"
#include "core/sgd_math.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

// SplitMix64 as a stream: a portable generator, so a split is the same on every platform
// (std::shuffle with std::mt19937 is not: its distributions are implementation-defined).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    const uint64_t output = rng_plan::mix64(state_);
    state_ += rng_plan::kSplitMixIncrement;
    return output;
  }
  // Uniform in [0, bound) for bound <= 2^32, by the trainer's own index map.
  int64_t below(int64_t bound) { return row_from_draw(static_cast<uint32_t>(next() >> 32), bound); }

 private:
  uint64_t state_;
};

// The arrays of `data` at `rows` (host memory), in that order, with its source and feature names.
Dataset take_rows(const DataView& data, const std::vector<int64_t>& rows) {
  Dataset part;
  part.rows = static_cast<int64_t>(rows.size());
  part.features = data.features;
  part.feature_names = data.feature_names;
  part.source = data.source;
  part.X.resize(static_cast<size_t>(part.rows * data.features));
  if (data.y != nullptr) part.y.resize(static_cast<size_t>(part.rows));
  if (data.has_sample_weights()) part.sample_weights.resize(static_cast<size_t>(part.rows));
  for (size_t k = 0; k < rows.size(); ++k) {
    const float* source = data.X + rows[k] * data.features;
    std::copy(source, source + data.features, part.X.data() + k * data.features);
    if (data.y != nullptr) part.y[k] = data.y[rows[k]];
    if (data.has_sample_weights()) part.sample_weights[k] = data.sample_weights[rows[k]];
  }
  return part;
}

// A view of a dataset's arrays, targets or not (view_of refuses data without them).
DataView arrays_of(const Dataset& data) {
  DataView view;
  view.rows = data.rows;
  view.features = data.features;
  view.X = data.X.data();
  view.y = data.has_target() ? data.y.data() : nullptr;
  view.sample_weights = data.has_sample_weights() ? data.sample_weights.data() : nullptr;
  view.source = data.source;
  view.feature_names = data.feature_names;
  return view;
}

}  // namespace

Standardization fit_standardization(const Dataset& data, bool center, const SumAcross& sum_across) {
  const int64_t d = data.features;
  // Each row weighs its sample weight, as scikit-learn's StandardScaler(sample_weight) weighs it:
  // a row of weight 2 counts as two rows, one of weight 0 not at all.
  const auto weight = [&](int64_t i) {
    return data.has_sample_weights() ? static_cast<double>(data.sample_weights[i]) : 1.0;
  };
  // The weighted sums and the weights' sum, then the squared deviations: added across the shares
  // (in double) when the rows are spread over the processes of a data-parallel run.
  std::vector<double> sum(d + 1, 0.0), square_sum(d, 0.0);
  for (int64_t i = 0; i < data.rows; ++i) {
    const float* x = data.X.data() + i * d;
    const double s = weight(i);
    for (int64_t j = 0; j < d; ++j) sum[j] += s * x[j];
    sum[d] += s;
  }
  if (sum_across) sum_across(sum.data(), d + 1);
  const double n = sum[d];
  if (!(n > 0.0)) throw InputError(data.source + ": every sample weight is 0");
  Standardization statistics;
  for (int64_t j = 0; j < d; ++j) {
    statistics.mean.push_back(center ? static_cast<float>(sum[j] / n) : 0.0f);
  }
  // Second pass around the mean: no cancellation for features with a large offset.
  for (int64_t i = 0; i < data.rows; ++i) {
    const float* x = data.X.data() + i * d;
    const double s = weight(i);
    for (int64_t j = 0; j < d; ++j) {
      const double centered = static_cast<double>(x[j]) - sum[j] / n;
      square_sum[j] += s * centered * centered;
    }
  }
  if (sum_across) sum_across(square_sum.data(), d);
  for (int64_t j = 0; j < d; ++j) {
    const auto deviation = static_cast<float>(std::sqrt(square_sum[j] / n));
    // A deviation of 0, or subnormal (a column of 0 and 1e-44), is a constant column for float:
    // scale 1, not a divisor that would send an ordinary value to infinity.
    const bool usable = deviation >= std::numeric_limits<float>::min() && std::isfinite(deviation);
    statistics.scale.push_back(usable ? deviation : 1.0f);
  }
  return statistics;
}

void standardize(const Standardization& statistics, Dataset& data) {
  const int64_t d = data.features;
  if (static_cast<int64_t>(statistics.mean.size()) != d) {
    throw InputError(data.source + " has " + std::to_string(d) +
                     " feature columns but the standardization has " +
                     std::to_string(statistics.mean.size()));
  }
  for (int64_t i = 0; i < data.rows; ++i) {
    float* x = data.X.data() + i * d;
    for (int64_t j = 0; j < d; ++j) {
      const double value = standardized(x[j], statistics.mean[j], statistics.scale[j]);
      if (!(std::abs(value) <= std::numeric_limits<float>::max())) {
        throw InputError(data.source + ": row " + std::to_string(i) + ", feature " +
                         std::to_string(j) + " (counted from 0): " + float_text(x[j]) +
                         " standardizes to " + float_text(value) + " (mean " +
                         float_text(statistics.mean[j]) + ", scale " +
                         float_text(statistics.scale[j]) + "), beyond float's range");
      }
      x[j] = static_cast<float>(value);
    }
  }
}

void validate_validation_fraction(double fraction) {
  if (!(fraction > 0.0 && fraction < 1.0)) {
    std::ostringstream message;
    message << "invalid value for --val-fraction: " << fraction << " (must be in (0, 1))";
    throw UsageError(message.str());
  }
}

std::pair<Dataset, Dataset> split_validation(const DataView& data, double fraction, uint64_t seed) {
  validate_validation_fraction(fraction);
  if (data.memory != MemoryKind::kHost) {
    throw UsageError(data.source +
                     ": the validation split copies rows in host memory, and these "
                     "arrays are on the GPU");
  }
  const auto held_out =
      static_cast<int64_t>(std::llround(fraction * static_cast<double>(data.rows)));
  if (held_out < 1 || held_out >= data.rows) {
    std::ostringstream message;
    message << "--val-fraction " << shortest_text(fraction) << " of " << data.rows
            << (data.rows == 1 ? " row" : " rows") << " holds out " << held_out << ", which leaves "
            << (held_out < 1 ? "no validation rows" : "no training rows");
    throw InputError(message.str());
  }
  // Fisher-Yates over the row numbers; the first `held_out` become the validation set.
  std::vector<int64_t> order(static_cast<size_t>(data.rows));
  std::iota(order.begin(), order.end(), 0);
  SplitMix64 generator(rng_plan::mix64(seed ^ 0x76616c6964617465ULL));  // "validate"
  for (int64_t i = data.rows - 1; i > 0; --i) {
    std::swap(order[i], order[generator.below(i + 1)]);
  }
  std::vector<int64_t> validation(order.begin(), order.begin() + held_out);
  std::vector<int64_t> training(order.begin() + held_out, order.end());
  std::sort(validation.begin(), validation.end());
  std::sort(training.begin(), training.end());
  std::pair<Dataset, Dataset> parts{take_rows(data, training), take_rows(data, validation)};
  // Weighted, either part may draw only rows of weight 0: it has nothing to train or measure on.
  for (const auto& [part, name] :
       {std::pair{&parts.first, "training"}, std::pair{&parts.second, "validation"}}) {
    const std::vector<float>& weights = part->sample_weights;
    if (!weights.empty() &&
        std::all_of(weights.begin(), weights.end(), [](float weight) { return weight == 0.0f; })) {
      std::ostringstream message;
      message << "--val-fraction " << fraction << ": the " << part->rows << " " << name
              << " rows that --seed " << seed
              << " drew all have sample weight 0; use another --seed or --val-fraction";
      throw InputError(message.str());
    }
  }
  return parts;
}

std::pair<Dataset, Dataset> split_validation(const Dataset& data, double fraction, uint64_t seed) {
  std::pair<Dataset, Dataset> parts = split_validation(arrays_of(data), fraction, seed);
  for (Dataset* part : {&parts.first, &parts.second}) {  // what a model keeps of the file
    part->target_name = data.target_name;
    part->named_by_header = data.named_by_header;
    part->target_column = data.target_column;
    part->weight_column = data.weight_column;
  }
  return parts;
}

}  // namespace linsgd
