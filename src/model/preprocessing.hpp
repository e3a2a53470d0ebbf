// Data preparation around training: per-feature standardization, and the seeded hold-out split
// of a validation set.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "linsgd/dataset.hpp"
#include "linsgd/model.hpp"

namespace linsgd {

// One standardized feature, (x - mean) / scale, worked in double: a float difference of two
// values near float's limit (3e38 and -3e38) would overflow where the quotient is an ordinary
// number. predict keeps it in double; standardize rounds it to float once, as training sees it.
inline double standardized(float x, float mean, float scale) {
  return (static_cast<double>(x) - mean) / scale;
}

// Adds arrays across the processes of a data-parallel run, in place (every process gets the sums).
using SumAcross = std::function<void(double* values, int64_t count)>;

// Mean and standard deviation of each feature over the rows of `data` (accumulated in double),
// each row weighed by its sample weight when it has one (scikit-learn's StandardScaler with
// sample_weight); with `sum_across`, over the rows of every process's share (`data` being this
// one's). Without `center` (a model without an intercept, whose features' origin stays where it
// is) the means kept are 0: the features are only scaled, by the same deviations
// (StandardScaler(with_mean=False)). Throws InputError when the weights are all 0.
Standardization fit_standardization(const Dataset& data, bool center = true,
                                    const SumAcross& sum_across = {});

// Applies x' = (x - mean) / scale in place, rounded to float. Throws InputError when the feature
// counts differ, or naming the row and feature whose x' is beyond float's range (data standardized
// by the statistics of other data, or a row of sample weight 0, which the statistics leave out:
// any other row of a training set's own is at most sqrt(rows) in size).
void standardize(const Standardization& statistics, Dataset& data);

// Throws UsageError unless 0 < fraction < 1.
void validate_validation_fraction(double fraction);

// Splits off round(fraction * rows) rows, chosen by a seeded shuffle (the same split for the
// same seed and row count on every machine), as the validation set; both keep the input order.
// Throws UsageError when fraction is not in (0, 1) and InputError when either part would be
// empty. Returns {training, validation}.
std::pair<Dataset, Dataset> split_validation(const Dataset& data, double fraction, uint64_t seed);
// The same split of a view's host arrays (its source and feature names kept): rows copied once,
// into the two parts.
std::pair<Dataset, Dataset> split_validation(const DataView& data, double fraction, uint64_t seed);

}  // namespace linsgd
