// --solver exact: the squared loss with no or an L2 penalty (and sample weights) solved by the
// normal equations, on either policy:
//
//   ((1 / sum s) X~^T S X~ + alpha (1 - rho) diag(1, ..., 1, 0)) [w; b] = (1 / sum s) X~^T S y,
//
// X~ = [X 1]. Without an intercept b is fixed at b0 (0 unless a starting bias is given): the
// bias's column moves to the right-hand side (rhs_j -= b0 G_jd) and is replaced by e_d, with
// b0 in the right-hand side's last place, which leaves the equations of w alone in the others. The
// Gram matrix is accumulated in double, block of rows by block of rows (DSYRK: OpenBLAS on the CPU,
// cuBLAS on the GPU), where float would lose the answer of an ill-conditioned problem, then solved
// by Cholesky (LAPACK, cuSOLVER). It is both an option and the F* reference of the tests and the
// fit benchmark. In a data-parallel run (a DataShard) each process accumulates its rows' part and
// the parts are summed across the processes before every process solves the same equations.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/resident_data.hpp"
#include "linsgd/config.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

// Wall seconds of the two parts of an exact solve, each waited for (see TrainResult).
struct ExactSolveSeconds {
  double normal_equations = 0.0;
  double factorization = 0.0;
};

// Without a penalty, a column of the normal equations whose part independent of the columns
// before it (R_kk^2 / G_kk of the Cholesky factor R: the squared sine of its angle to their span)
// is below this is their combination: the data are floats, about 7 significant digits, and an
// independent part of a few float ulps of the column (4 FLT_EPSILON, squared) is rounding, not
// information. (An exact dependence leaves about the double rounding of G, ~1e-16, there.)
inline constexpr double kDependentColumn = 16.0 * 1.1920929e-7 * 1.1920929e-7;

// The refusal of singular normal equations, naming the first column found dependent on those
// before it (`features`: the intercept's, then the `constant_feature` that duplicates it, if one
// was found), by its name in `feature_names` when it has one (a header's, not the x0, x1, ... of
// data without one). With sample weights (`weighted`), rows of weight 0 add nothing. Without an
// `intercept` the parameters are the features' weights alone.
inline std::string singular_normal_equations(int64_t rows, int64_t features, int64_t column,
                                             const std::vector<std::string>& feature_names = {},
                                             int64_t constant_feature = -1, bool weighted = false,
                                             bool intercept = true) {
  const auto feature = [&](int64_t j) {
    const std::string index = std::to_string(j);
    const bool named =
        static_cast<int64_t>(feature_names.size()) == features && feature_names[j] != "x" + index;
    return named ? "feature '" + feature_names[j] + "' (" + index + ", 0-based)"
                 : "feature " + index + " (0-based)";
  };
  std::string reason;
  const int64_t parameters = features + (intercept ? 1 : 0);
  if (rows < parameters) {
    reason = "the data's " + std::to_string(rows) + (rows == 1 ? " row does" : " rows do") +
             " not determine " + std::to_string(parameters) + " parameters";
  } else if (column == features && constant_feature >= 0) {
    reason = feature(constant_feature) +
             " is constant (or nearly: its spread below 1e-6 of its size), which duplicates the "
             "intercept (--standardize maps constant features to 0)";
  } else if (column == features) {
    reason =
        "a constant feature, or features that add up to a constant, duplicate the intercept "
        "(--standardize maps constant features to 0)";
  } else {
    reason = feature(column) + " is a linear combination of the features before it";
  }
  if (weighted) reason += " (rows of sample weight 0, if any, count for nothing)";
  return "--solver exact: the normal equations are singular: " + reason +
         "; add --penalty l2 with an --alpha, or use --solver sgd";
}

// The weights and bias minimizing the objective of `config` (squared loss, no or an L2 penalty;
// validate() refuses the others) on `data`, whose features `feature_names` names for messages. A
// feature that is 0 on every row gets weight 0 (feature_diagonal). Throws InputError when the
// normal equations are singular (fewer rows than parameters, or a feature that is a combination
// of others or of the intercept, without an L2 penalty). Without config.fit_intercept, `bias` is
// `fixed_bias` and the weights the best for it.
template <class Exec>
ExactSolveSeconds solve_normal_equations(Exec& exec, const ResidentData<Exec>& data,
                                         const TrainConfig& config, std::vector<float>& weights,
                                         float& bias, const DataShard* shard = nullptr,
                                         const std::vector<std::string>& feature_names = {},
                                         float fixed_bias = 0.0f) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const int64_t d = data.features;
  const int64_t dimension = d + 1;
  const int64_t rows = data.held_rows();  // this process's
  const int64_t block_rows = normal_equations_block_rows(rows, d);
  auto G = exec.template allocate<double>(dimension * dimension);
  auto rhs = exec.template allocate<double>(dimension);
  auto block = exec.template allocate<double>(block_rows * (dimension + 1));
  exec.zero(G);
  exec.zero(rhs);
  for (int64_t first = 0; first < rows; first += block_rows) {
    const int64_t count = std::min(block_rows, rows - first);
    exec.accumulate_gram(data.X + first * d, data.y + first,
                         data.sample_weights != nullptr ? data.sample_weights + first : nullptr,
                         count, d, block.data(), G.data(), rhs.data());
  }
  if (shard != nullptr) {  // every process's rows: (d + 1)^2 + d + 1 doubles, once
    for (auto* part : {&G, &rhs}) {
      std::vector<double> sums = exec.download(*part, static_cast<int64_t>(part->size()));
      shard->sum_doubles(sums.data(), static_cast<int64_t>(sums.size()));
      exec.upload(*part, sums);
    }
  }
  exec.finish_normal_equations(G.data(), rhs.data(), dimension, 1.0 / data.weight_sum,
                               config.l2_strength());
  if (!config.fit_intercept) {  // the last column (contiguous, column-major) becomes e_d
    const std::vector<double> column = exec.download_range(G, d * dimension, dimension);
    std::vector<double> right = exec.download(rhs, dimension);
    const auto b0 = static_cast<double>(fixed_bias);
    for (int64_t j = 0; j < d; ++j) right[j] -= b0 * column[j];
    right[d] = b0;
    std::vector<double> pinned(static_cast<size_t>(dimension), 0.0);
    pinned.back() = 1.0;
    exec.upload_range(G, d * dimension, pinned);
    exec.upload(rhs, right);
  }
  exec.synchronize();  // once, to time the two parts apart
  const auto formed = Clock::now();
  const std::vector<double> diagonal = exec.diagonal(G.data(), dimension);
  // The intercept's column, G[i + d (d + 1)] (the upper triangle, column-major): the features'
  // weighted means, which name a constant feature should the intercept be found dependent (never
  // without an intercept, whose column is e_d by now).
  const std::vector<double> means = exec.download_range(G, d * dimension, dimension);
  int64_t dependent = exec.cholesky_solve(G.data(), rhs.data(), dimension);
  const ExactSolveSeconds seconds{std::chrono::duration<double>(formed - start).count(),
                                  std::chrono::duration<double>(Clock::now() - formed).count()};
  if (dependent < 0 && config.l2_strength() == 0.0) {  // factored: G holds R
    const std::vector<double> factor = exec.diagonal(G.data(), dimension);
    for (int64_t k = 0; k < dimension && dependent < 0; ++k) {
      if (factor[k] * factor[k] < kDependentColumn * diagonal[k]) dependent = k;
    }
  }
  if (dependent >= 0) {
    int64_t constant = -1;  // a feature of (weighted) variance 0 that is not 0 everywhere
    for (int64_t j = 0; j < d && constant < 0 && dependent == d; ++j) {
      const double variance = diagonal[j] - means[j] * means[j];
      if (diagonal[j] > 0.0 && variance <= kDependentColumn * diagonal[j]) constant = j;
    }
    throw InputError(singular_normal_equations(data.rows, d, dependent, feature_names, constant,
                                               data.sample_weights != nullptr,
                                               config.fit_intercept));
  }
  const std::vector<double> solution = exec.download(rhs, dimension);
  weights.assign(solution.begin(), solution.begin() + d);
  bias = static_cast<float>(solution[d]);
  return seconds;
}

}  // namespace linsgd
