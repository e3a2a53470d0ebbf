// End-to-end tests of the fitting options through the binary: a run to convergence writes its
// curve, figures and every hyperparameter; sample weights as a column equal the same weights as
// a file; the exact solver (and its refusal of a solution beyond float); every bad value or
// option that does not apply is one line, exit 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "npy_writer.hpp"

namespace linsgd {
namespace {

using testing::read_text;
using testing::run_cli;
using testing::ScratchDir;
using testing::shell_quoted;
using testing::write_text;

// y = 2a - b + 0.5 + noise, with a weight column w (1 to 3) between the features.
std::string weighted_csv(int rows) {
  std::mt19937 engine(1);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::string csv = "a,w,b,y\n";
  for (int i = 0; i < rows; ++i) {
    const double a = normal(engine), b = normal(engine);
    csv += std::to_string(a) + "," + std::to_string(1 + i % 3) + "," + std::to_string(b) + "," +
           std::to_string(2 * a - b + 0.5 + 0.05 * normal(engine)) + "\n";
  }
  return csv;
}

void expect_refusal(const std::string& arguments, const std::string& message) {
  ScratchDir scratch;
  const auto run = run_cli(arguments, scratch);
  EXPECT_EQ(run.exit_code, 2) << arguments << "\n" << run.err;
  EXPECT_EQ(run.err, "linsgd: error: " + message + "\n") << arguments;
}

TEST(FitCli, ARunToConvergenceWritesItsCurveFiguresAndHyperparameters) {
  ScratchDir scratch;
  const std::string data = scratch.file("d.csv", weighted_csv(300));
  const auto curve = scratch.path() / "curve.csv", metrics = scratch.path() / "m.json",
             model = scratch.path() / "model.json";
  const auto run =
      run_cli("train --device cpu --data " + shell_quoted(data) +
                  " --sample-weight w --epochs 200 --sampling epoch --lr auto --average --tol 1e-7 "
                  "--penalty l2 --alpha 0.001 --val-fraction 0.2 --curve-out " +
                  shell_quoted(curve) + " --metrics-out " + shell_quoted(metrics) +
                  " --model-out " + shell_quoted(model),
              scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("(auto)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("objective           "), std::string::npos) << run.out;
  // Beside a weighted batch loss, the unweighted 0.5 x MSE of the training rows says so.
  const nlohmann::json full_loss = nlohmann::json::parse(read_text(metrics))["full_loss"];
  char expected_line[96];
  std::snprintf(expected_line, sizeof expected_line, "\n0.5 x MSE           %.6f (training rows)\n",
                full_loss.get<double>());
  EXPECT_NE(run.out.find(expected_line), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("full-dataset loss"), std::string::npos) << run.out;

  const nlohmann::json m = nlohmann::json::parse(read_text(metrics));
  EXPECT_TRUE(m["learning_rate_auto"].get<bool>());
  EXPECT_GT(m["learning_rate"].get<double>(), 0.0);
  EXPECT_EQ(m["sampling"], "epoch");
  EXPECT_EQ(m["penalty"], "l2");
  EXPECT_EQ(m["features"], 2);                           // the weight column is not a feature
  EXPECT_FALSE(m.contains("normal_equations_seconds"));  // the exact solver's alone
  const std::string stopped_by = m["stopped_by"];
  EXPECT_TRUE(stopped_by == "tol" || stopped_by == "steps") << stopped_by;
  // 240 training rows (0.8 of 300) in batches of 64: 4 steps an epoch (the last of 48 rows),
  // and the run stops at an evaluation, once an epoch.
  EXPECT_DOUBLE_EQ(m["epochs"].get<double>(), m["steps_run"].get<double>() / 4.0);
  EXPECT_TRUE(m["validation"].contains("objective"));
  EXPECT_LT(m["objective"].get<double>(), 0.01);
  // The Lanczos iteration of --lr auto ran before the steps: counted apart from them.
  EXPECT_GT(m["prepare_seconds"].get<double>(), 0.0);
  EXPECT_GT(m["train_seconds"].get<double>(), 0.0);

  // One row per evaluation, once an epoch (4 steps of 64 for 240 rows), the validation
  // objective included, the last at the step the run ended.
  std::istringstream rows(read_text(curve));
  std::string line;
  std::getline(rows, line);
  EXPECT_EQ(line, "step,seconds,objective,validation_objective");
  int64_t last_step = 0, count = 0;
  while (std::getline(rows, line)) {
    last_step = std::stoll(line.substr(0, line.find(',')));
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 3) << line;
    ++count;
  }
  EXPECT_EQ(last_step, m["steps_run"].get<int64_t>());
  EXPECT_GE(count, 2);

  // The model keeps every hyperparameter and reads back for evaluation by name.
  const nlohmann::json saved = nlohmann::json::parse(read_text(model));
  for (const char* key : {"loss", "penalty", "alpha", "l1_ratio", "sampling", "schedule",
                          "momentum", "nesterov", "average_from", "tol", "solver"}) {
    EXPECT_TRUE(saved["hyperparameters"].contains(key)) << key;
  }
  EXPECT_EQ(saved["hyperparameters"]["average_from"], 4);  // one epoch of 240 / 64 rows
  const auto evaluated =
      run_cli("evaluate --model " + shell_quoted(model) + " --data " + shell_quoted(data), scratch);
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_NE(evaluated.out.find("R2    0.99"), std::string::npos) << evaluated.out;
}

TEST(FitCli, WeightsFromAColumnEqualTheSameWeightsFromAFile) {
  ScratchDir scratch;
  const std::string with_column = scratch.file("d.csv", weighted_csv(100));
  // The same rows without the column, and the weights as a 1-D .npy.
  std::istringstream rows(read_text(with_column));
  std::string line, without = "a,b,y\n";
  std::vector<double> weights;
  std::getline(rows, line);
  while (std::getline(rows, line)) {
    const size_t first = line.find(','), second = line.find(',', first + 1);
    weights.push_back(std::stod(line.substr(first + 1, second - first - 1)));
    without += line.substr(0, first) + line.substr(second) + "\n";
  }
  const std::string bare = scratch.file("bare.csv", without);
  const std::string file = scratch.file(
      "w.npy", testing::npy_bytes({"<f8", false, {static_cast<int64_t>(weights.size())}}, weights));
  const auto a = scratch.path() / "a.json", b = scratch.path() / "b.json";
  const std::string options = "train --device cpu --steps 500 --lr auto --quiet ";
  ASSERT_EQ(run_cli(options + "--data " + shell_quoted(with_column) +
                        " --sample-weight w --model-out " + shell_quoted(a),
                    scratch)
                .exit_code,
            0);
  ASSERT_EQ(run_cli(options + "--data " + shell_quoted(bare) + " --sample-weight " +
                        shell_quoted(file) + " --model-out " + shell_quoted(b),
                    scratch)
                .exit_code,
            0);
  // The same model; the column's file keeps where its weights stood (for a file read by position).
  auto from_column = nlohmann::ordered_json::parse(read_text(a));
  EXPECT_EQ(from_column["weight_column"], 1);
  // The weights' scale, which data added later weigh on (1 + i mod 3 for 100 rows: 199 / 100).
  EXPECT_DOUBLE_EQ(from_column["metrics"]["sample_weight_mean"].get<double>(), 1.99);
  from_column.erase("weight_column");
  EXPECT_EQ(from_column, nlohmann::ordered_json::parse(read_text(b)));
  // Validation figures are weighted as the objective is: MSE = 2 F (squared loss, no penalty),
  // and what evaluate --sample-weight gives.
  const auto metrics = scratch.path() / "m.json";
  ASSERT_EQ(
      run_cli(options + "--data " + shell_quoted(with_column) + " --sample-weight w --val-data " +
                  shell_quoted(with_column) + " --metrics-out " + shell_quoted(metrics),
              scratch)
          .exit_code,
      0);
  const nlohmann::json validation = nlohmann::json::parse(read_text(metrics))["validation"];
  EXPECT_NEAR(validation["mse"].get<double>(), 2.0 * validation["objective"].get<double>(),
              1e-5 * validation["mse"].get<double>());
  const auto evaluated = run_cli("evaluate --json --model " + shell_quoted(a) + " --data " +
                                     shell_quoted(with_column) + " --sample-weight w",
                                 scratch);
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_EQ(nlohmann::json::parse(evaluated.out)["mse"], validation["mse"]);
  const std::string negative = scratch.file("n.csv", "a,w,y\n1,1,2\n2,-1,3\n");
  expect_refusal("train --device cpu --data " + shell_quoted(negative) + " --sample-weight w",
                 negative + ": line 3, column 2: sample weight '-1' (must be >= 0)");
  // A headerless validation file without the training file's weight column: its last column
  // (the target) is the weight column's position.
  const std::string headerless = scratch.file("h.csv", "1,0.5,2\n2,1.5,3\n3,1,5\n");
  const std::string unweighted = scratch.file("v.csv", "1,2\n2,3\n");
  expect_refusal(
      "train --device cpu --data " + shell_quoted(headerless) + " --sample-weight 1 --val-data " +
          shell_quoted(unweighted),
      unweighted + ": --sample-weight 1 is the target column (the last of its 2 columns)");
}

TEST(FitCli, TheExactSolverReportsItsSolve) {
  ScratchDir scratch;
  const auto metrics = scratch.path() / "m.json";
  const auto run =
      run_cli("train --device cpu --solver exact --metrics-out " + shell_quoted(metrics), scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("exact solver"), std::string::npos) << run.out;
  const nlohmann::json m = nlohmann::json::parse(read_text(metrics));
  EXPECT_EQ(m["stopped_by"], "exact");
  EXPECT_EQ(m["solver"], "exact");
  // Nothing that only SGD has reads as a setting of the solve; the synthetic data's draw stays.
  for (const char* sgd_only : {"engine", "batch_size", "learning_rate", "steps", "sampling",
                               "schedule", "steps_run", "steps_per_second", "final_batch_loss"}) {
    EXPECT_FALSE(m.contains(sgd_only)) << sgd_only;
  }
  EXPECT_EQ(m["seed"], 42);
  EXPECT_FALSE(m.contains("alpha"));  // no penalty
  // The solve's two parts, each timed after waiting for it: together the solve's time.
  const double formed = m["normal_equations_seconds"], factored = m["factorization_seconds"];
  EXPECT_GT(formed, 0.0);
  EXPECT_GT(factored, 0.0);
  EXPECT_LE(formed + factored, m["train_seconds"].get<double>());
  EXPECT_NE(run.out.find("(normal equations "), std::string::npos) << run.out;
  // On a file, the seed stays where it drew the validation split, and only there.
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 50; ++i) {
    csv += std::to_string(i % 7) + "," + std::to_string(i % 5) + "," +
           std::to_string(2 * (i % 7) - (i % 5) + (i % 3)) + "\n";
  }
  const std::string data = scratch.file("d.csv", csv);
  for (const bool split : {false, true}) {
    const auto on_file =
        run_cli("train --device cpu --solver exact -q --data " + shell_quoted(data) +
                    (split ? " --seed 7 --val-fraction 0.2" : "") + " --metrics-out " +
                    shell_quoted(metrics),
                scratch);
    ASSERT_EQ(on_file.exit_code, 0) << on_file.err;
    const nlohmann::json file_metrics = nlohmann::json::parse(read_text(metrics));
    EXPECT_EQ(file_metrics.contains("seed"), split);
    EXPECT_FALSE(file_metrics.contains("sigma"));
  }
  // Without a split to draw, a seed on a file would do nothing.
  expect_refusal("train --device cpu --solver exact --seed 7 --data " + shell_quoted(data),
                 "--seed applies to --solver exact only with --val-fraction (the split it draws) "
                 "or synthetic data");
  // The post's problem at its optimum: 2.5e-5 (0.5 x the noise variance 1e-4, less the fit).
  EXPECT_LT(m["full_loss"].get<double>(), 3e-5);
  EXPECT_GT(m["full_loss"].get<double>(), 2e-5);
}

// Integer weights count as repeated rows, --standardize's statistics included: a weighted ridge
// of standardized features (the penalty reads the scale) is the ridge of the rows repeated. The
// statistics were unweighted before, and the two models differed in the third digit.
TEST(FitCli, StandardizedWeightedRowsFitAsTheRowsRepeated) {
  ScratchDir scratch;
  std::istringstream lines(weighted_csv(60));
  std::string line, repeated = "a,w,b,y\n";
  std::getline(lines, line);
  while (std::getline(lines, line)) {  // a,w,b,y: each row w times, of weight 1
    const size_t w = line.find(',') + 1, after = line.find(',', w);
    const std::string once = line.substr(0, w) + "1" + line.substr(after);
    for (int k = std::stoi(line.substr(w)); k > 0; --k) repeated += once + "\n";
  }
  const std::string weighted_data = scratch.file("w.csv", weighted_csv(60));
  const std::string repeated_data = scratch.file("r.csv", repeated);
  const auto a = scratch.path() / "a.json", b = scratch.path() / "b.json";
  const std::string options =
      "train --device cpu -q --solver exact --penalty l2 --alpha 0.5 "
      "--standardize --model-out ";
  ASSERT_EQ(run_cli(options + shell_quoted(a) + " --data " + shell_quoted(weighted_data) +
                        " --sample-weight w",
                    scratch)
                .exit_code,
            0);
  ASSERT_EQ(run_cli(options + shell_quoted(b) + " --data " + shell_quoted(repeated_data) +
                        " --sample-weight w",
                    scratch)
                .exit_code,
            0);
  const nlohmann::json weighted = nlohmann::json::parse(read_text(a));
  const nlohmann::json plain = nlohmann::json::parse(read_text(b));
  for (const char* key : {"mean", "scale"}) {
    for (int j = 0; j < 2; ++j) {
      const double expected = plain["standardization"][key][j];
      EXPECT_NEAR(weighted["standardization"][key][j].get<double>(), expected,
                  1e-6 * std::abs(expected))
          << key << j;
    }
  }
  for (int j = 0; j < 2; ++j) {
    const double expected = plain["weights"][j];
    EXPECT_NEAR(weighted["weights"][j].get<double>(), expected, 1e-5 * std::abs(expected)) << j;
  }
  EXPECT_NEAR(weighted["bias"].get<double>(), plain["bias"].get<double>(), 1e-5);
}

// --no-intercept: the model goes through the origin (bias 0, a prediction of 0 for features of
// 0), --standardize only scales, and the weights are the weighted least squares through the
// origin of the data as given (the 0.5 offset of the targets left to the residuals).
TEST(FitCli, WithoutAnInterceptTheModelGoesThroughTheOrigin) {
  ScratchDir scratch;
  const std::string csv = weighted_csv(200);
  const std::string data = scratch.file("d.csv", csv);
  const auto model = scratch.path() / "m.json";
  const auto run = run_cli(
      "train --device cpu --solver exact --no-intercept --standardize "
      "--sample-weight w --data " +
          shell_quoted(data) + " --model-out " + shell_quoted(model),
      scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("200 rows x 2 features (no intercept), the normal equations"),
            std::string::npos)
      << run.out;
  const nlohmann::json m = nlohmann::json::parse(read_text(model));
  EXPECT_EQ(m["bias"], 0.0);
  EXPECT_EQ(m["standardization"]["mean"], nlohmann::json::array({0.0, 0.0}));
  EXPECT_FALSE(m["hyperparameters"]["fit_intercept"].get<bool>());

  // [a b]^T W [a b] w = [a b]^T W y, 2 x 2, in double.
  double aa = 0, ab = 0, bb = 0, ay = 0, by = 0;
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    double a, w, b, y;
    char comma;
    std::istringstream(line) >> a >> comma >> w >> comma >> b >> comma >> y;
    aa += w * a * a, ab += w * a * b, bb += w * b * b, ay += w * a * y, by += w * b * y;
  }
  const double determinant = aa * bb - ab * ab;
  const double expected[] = {(bb * ay - ab * by) / determinant, (aa * by - ab * ay) / determinant};
  for (int j = 0; j < 2; ++j) {
    const double coefficient =
        m["weights"][j].get<double>() / m["standardization"]["scale"][j].get<double>();
    EXPECT_NEAR(coefficient, expected[j], 1e-5 * std::abs(expected[j])) << j;
  }
  const std::string origin = scratch.file("o.csv", "a,w,b\n0,1,0\n");
  const auto predicted = run_cli("predict --model " + shell_quoted(model) + " --data " +
                                     shell_quoted(origin) + " --sample-weight w",
                                 scratch);
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  EXPECT_EQ(
      std::stod(predicted.out.substr(predicted.out.rfind('\n', predicted.out.size() - 2) + 1)), 0.0)
      << predicted.out;
}

// On synthetic data, whose true bias is not 0, the summary says that --no-intercept fixed b.
TEST(FitCli, WithoutAnInterceptTheSummarySaysTheBiasWasFixed) {
  ScratchDir scratch;
  const auto run =
      run_cli("train --device cpu --no-intercept --rows 300 --features 4 --steps 50", scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("(b = 0.000000 fixed by --no-intercept, b* = "), std::string::npos)
      << run.out;
}

// --lr auto on features of scale 100 steps about 1e-4 (their curvature is 1e4): 20 epochs
// leave the intercept (curvature 1, its optimum 0.5 here) where it started, and a note says so;
// standardized, the same run reaches it, without the note.
TEST(FitCli, ANoteSaysWhenTheStepsFallShortOfTheIntercept) {
  ScratchDir scratch;
  std::mt19937 engine(2);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 500; ++i) {
    const double a = 100 * normal(engine), b = 100 * normal(engine);
    csv += std::to_string(a) + "," + std::to_string(b) + "," +
           std::to_string(0.02 * a - 0.01 * b + 0.5 + 0.05 * normal(engine)) + "\n";
  }
  const std::string data = scratch.file("d.csv", csv);
  const std::string base =
      "train --device cpu --lr auto --epochs 20 --data " + shell_quoted(data) + " --model-out ";
  const auto run = run_cli(base + shell_quoted(scratch.path() / "m.json"), scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("linsgd: note: the steps' sizes add up to at most "), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("against the intercept's curvature of 1: the least curved direction "
                         "(the intercept's, or one curved less) keeps about 9"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(" from the features' largest curvature: --standardize them if their "
                         "scale is large, or use --solver exact"),
            std::string::npos)
      << run.err;
  const nlohmann::json model = nlohmann::json::parse(read_text(scratch.path() / "m.json"));
  EXPECT_LT(std::abs(model["bias"].get<double>()), 0.1);  // 0.5 away from its optimum
  const auto standardized =
      run_cli(base + shell_quoted(scratch.path() / "s.json") + " --standardize", scratch);
  ASSERT_EQ(standardized.exit_code, 0) << standardized.err;
  EXPECT_EQ(standardized.err.find("note: the steps"), std::string::npos) << standardized.err;
  // The intercept on the features as given: b - sum_j w_j mean_j / scale_j.
  const nlohmann::json fitted = nlohmann::json::parse(read_text(scratch.path() / "s.json"));
  double intercept = fitted["bias"].get<double>();
  for (int j = 0; j < 2; ++j) {
    intercept -= fitted["weights"][j].get<double>() *
                 fitted["standardization"]["mean"][j].get<double>() /
                 fitted["standardization"]["scale"][j].get<double>();
  }
  EXPECT_NEAR(intercept, 0.5, 0.05);
  const auto quiet = run_cli(base + shell_quoted(scratch.path() / "q.json") + " --quiet", scratch);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
}

// The model file states the objective trained: l1 is the elastic net's rho 1, l2 rho 0 (the
// default --l1-ratio, 0.15, applies to elasticnet alone).
TEST(FitCli, TheModelFileStatesTheL1RatioThePenaltyUsed) {
  ScratchDir scratch;
  const std::string data = scratch.file("d.csv", weighted_csv(100));
  for (const auto& [options, rho] :
       std::vector<std::pair<std::string, double>>{{"--penalty l1", 1.0},
                                                   {"--penalty l2", 0.0},
                                                   {"--penalty elasticnet", 0.15},
                                                   {"--penalty elasticnet --l1-ratio 0.3", 0.3}}) {
    const auto model = scratch.path() / "m.json";
    const auto run = run_cli("train --device cpu --quiet --steps 20 " + options + " --data " +
                                 shell_quoted(data) + " --model-out " + shell_quoted(model),
                             scratch);
    ASSERT_EQ(run.exit_code, 0) << options << "\n" << run.err;
    const nlohmann::json m = nlohmann::json::parse(read_text(model));
    EXPECT_EQ(m["hyperparameters"]["l1_ratio"].get<double>(), rho) << options;
  }
}

// train --val-data with --target and --sample-weight given by the training header's names: a
// validation file without a header (a CSV without one, a .npy) laid out alike has them where
// the training file did, and scores as the same rows with a header do.
TEST(FitCli, AValidationFileWithoutAHeaderHasTheNamedColumnsWhereTrainingHadThem) {
  ScratchDir scratch;
  // Columns a, target t (not last), weight w, b; rows from weighted_csv's a,w,b,y.
  std::istringstream lines(weighted_csv(160));
  std::string line;
  std::getline(lines, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(lines, line)) {
    double a, w, b, y;
    char comma;
    std::istringstream(line) >> a >> comma >> w >> comma >> b >> comma >> y;
    rows.push_back({a, y, w, b});
  }
  const auto csv_of = [&](size_t first, size_t end, bool header) {
    std::string text = header ? "a,t,w,b\n" : "";
    for (size_t i = first; i < end; ++i) {
      text += std::to_string(rows[i][0]) + "," + std::to_string(rows[i][1]) + "," +
              std::to_string(rows[i][2]) + "," + std::to_string(rows[i][3]) + "\n";
    }
    return text;
  };
  std::vector<double> values;
  for (size_t i = 120; i < rows.size(); ++i) {
    for (const double v : rows[i])
      values.push_back(static_cast<float>(std::stod(std::to_string(v))));
  }
  testing::NpySpec spec;
  spec.shape = {40, 4};
  const std::string training = scratch.file("train.csv", csv_of(0, 120, true));
  const std::vector<std::string> validations = {
      scratch.file("named.csv", csv_of(120, 160, true)),
      scratch.file("bare.csv", csv_of(120, 160, false)),
      scratch.file("bare.npy", testing::npy_bytes(spec, values))};
  std::vector<nlohmann::json> scores;
  for (const std::string& validation : validations) {
    const auto metrics = scratch.path() / "m.json";
    const auto run = run_cli(
        "train --device cpu --quiet --solver exact --target t "
        "--sample-weight w --data " +
            shell_quoted(training) + " --val-data " + shell_quoted(validation) + " --metrics-out " +
            shell_quoted(metrics),
        scratch);
    ASSERT_EQ(run.exit_code, 0) << validation << "\n" << run.err;
    scores.push_back(nlohmann::json::parse(read_text(metrics))["validation"]);
  }
  EXPECT_EQ(scores[0]["rows"], 40);
  EXPECT_GT(scores[0]["r2"].get<double>(), 0.9);
  EXPECT_EQ(scores[1], scores[0]);
  EXPECT_EQ(scores[2], scores[0]);
}

// The steps of a --curve-out file (its first column).
std::vector<int64_t> curve_steps(const std::filesystem::path& curve) {
  std::istringstream lines(read_text(curve));
  std::vector<int64_t> steps;
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) steps.push_back(std::stoll(line.substr(0, line.find(','))));
  return steps;
}

// Evaluations come every --eval-every steps, and once an epoch with --epochs, at those very
// steps (and at the end), whether or not the interval is a multiple of the steps' chunks (256).
TEST(FitCli, EvaluationsComeEveryNStepsAndOnceAnEpoch) {
  ScratchDir scratch;
  const auto curve = scratch.path() / "curve.csv";
  const std::string train =
      "train --device cpu --features 5 --quiet --curve-out " + shell_quoted(curve);
  auto run = run_cli(train + " --rows 2000 --steps 1000 --eval-every 300", scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(curve_steps(curve), (std::vector<int64_t>{300, 600, 900, 1000}));
  // 20000 rows in batches of 64: 313 steps an epoch.
  run = run_cli(train + " --rows 20000 --epochs 4 --sampling epoch --tol 1e-9", scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(curve_steps(curve), (std::vector<int64_t>{313, 626, 939, 1252}));
}

// The epochs figure counts passes over the rows: sampling with replacement, the rows drawn over
// n; walking an order, whole epochs (batches past n take all n rows a step) and the rows taken
// of the one in progress.
TEST(FitCli, TheEpochsFigureCountsPassesOverTheRows) {
  ScratchDir scratch;
  const auto metrics = scratch.path() / "m.json";
  const auto epochs = [&](const std::string& options) {
    const auto run = run_cli(
        "train --device cpu --quiet --data " + std::string(LINSGD_TEST_DATA_DIR) +
            "/diabetes.csv --standardize " + options + " --metrics-out " + shell_quoted(metrics),
        scratch);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return nlohmann::json::parse(read_text(metrics))["epochs"].get<double>();
  };
  // 442 rows.
  EXPECT_DOUBLE_EQ(epochs("--batch-size 1000 --sampling epoch --epochs 3"), 3.0);
  EXPECT_DOUBLE_EQ(epochs("--batch-size 64 --sampling sequential --steps 9"), 1.0 + 2 * 64 / 442.0);
  EXPECT_DOUBLE_EQ(epochs("--batch-size 64 --steps 100"), 100 * 64 / 442.0);
}

// A target whose coefficient exceeds float's range (y = 1e39 a for features a in [-0.3, 0.3]:
// every y fits in a float, its coefficient does not): refused with the reason, no model written
// (JSON has no infinity: the file would hold null, which no reader takes).
TEST(FitCli, AnExactSolutionBeyondFloatIsRefusedAndNoModelWritten) {
  ScratchDir scratch;
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 100; ++i) {
    const double a = 0.3 * std::sin(1.0 + i), b = 0.3 * std::cos(2.0 * i);
    csv += std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(a * 1e39) + "\n";
  }
  const auto data = scratch.path() / "big.csv", model = scratch.path() / "model.json";
  write_text(data, csv);
  const auto run = run_cli("train --device cpu --solver exact --data " + shell_quoted(data) +
                               " --model-out " + shell_quoted(model),
                           scratch);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.err.rfind("linsgd: error: --solver exact: the solution's weight 0 is inf", 0), 0u)
      << run.err;
  EXPECT_NE(run.err.find("beyond float's range"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(model));
}

// Features of 1e20 square past float's range: --lr auto says so, not that there is no curvature.
TEST(FitCli, LrAutoNamesACurvatureBeyondFloat) {
  ScratchDir scratch;
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 50; ++i) {
    csv += std::to_string(1e20 * std::sin(1.0 + i)) + "," + std::to_string(1e20 * std::cos(i)) +
           "," + std::to_string(std::sin(1.0 + i) + std::cos(i)) + "\n";
  }
  const auto data = scratch.path() / "large.csv";
  write_text(data, csv);
  expect_refusal("train --device cpu --lr auto --data " + shell_quoted(data),
                 "--lr auto: the data's curvature overflows float (features too large: "
                 "--standardize them); or give --lr");
}

// --lr auto is SGD's safe step; momentum 0.9 takes steps up to ten times as long, which the noise
// of 8-row batches does not survive. The error says what to change instead of the rate.
TEST(FitCli, ADivergenceUnderLrAutoWithMomentumNamesTheMomentum) {
  ScratchDir scratch;
  const auto model = scratch.path() / "model.json";
  const auto run = run_cli(
      "train --device cpu --rows 400 --features 200 --batch-size 8 --lr auto "
      "--momentum 0.9 --steps 3000 --model-out " +
          shell_quoted(model),
      scratch);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.err.rfind("linsgd: error: training diverged: the batch loss became ", 0), 0u)
      << run.err;
  EXPECT_NE(run.err.find("--lr auto is chosen for SGD without momentum: try a smaller --momentum"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(model));
}

// A run evaluated at every step diverges at the step whose batch loss overflows: its curve, a
// stream, ends at the evaluation before it (each row's objective finite).
TEST(FitCli, ADivergedRunsCurveEndsBeforeTheDivergence) {
  ScratchDir scratch;
  const auto run = run_cli(
      "train --device cpu --lr 5 --eval-every 1 --steps 50 --quiet "
      "--curve-out -",
      scratch);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const std::string prefix = "linsgd: error: training diverged: the batch loss became inf at step ";
  ASSERT_EQ(run.err.rfind(prefix, 0), 0u) << run.err;
  const int64_t diverged = std::stoll(run.err.substr(prefix.size()));
  std::istringstream rows(run.out);
  std::string line;
  std::getline(rows, line);
  EXPECT_EQ(line, "step,seconds,objective");
  int64_t step = 0;
  while (std::getline(rows, line)) {
    EXPECT_EQ(std::stoll(line), ++step) << line;
    EXPECT_TRUE(std::isfinite(std::stod(line.substr(line.rfind(',') + 1)))) << line;
  }
  EXPECT_GT(step, 1);
  EXPECT_EQ(step, diverged - 1);  // every evaluation before the diverged step, and none after
}

// Diverging, the post's problem at --lr 5 grows its objective at every evaluation, so the tol rule
// (no improvement for 5 evaluations) and the adaptive schedule's would end it before any loss
// overflows, and so would 8 steps: each run is refused as diverged, with no model written. (Its
// objective of all-zero weights, 1012.6, is above its starting model's.)
TEST(FitCli, ADivergingRunEndedBeforeItOverflowsIsRefused) {
  ScratchDir scratch;
  const auto model = scratch.path() / "model.json";
  for (const std::string rule : {"--tol 1 --eval-every 1 --steps 100",
                                 "--schedule adaptive --eval-every 1 --steps 100", "--steps 8"}) {
    const auto run =
        run_cli("train --device cpu --lr 5 --quiet " + rule + " --model-out " + shell_quoted(model),
                scratch);
    EXPECT_EQ(run.exit_code, 1) << rule << "\n" << run.err;
    EXPECT_EQ(run.err.rfind("linsgd: error: training diverged, or its steps are too long for the "
                            "data: the objective at step ",
                            0),
              0u)
        << rule << "\n"
        << run.err;
    EXPECT_NE(run.err.find(", more than 10 times 1012.63, that of all-zero weights; try a smaller "
                           "--lr (or --lr auto), or --standardize the features\n"),
              std::string::npos)
        << run.err;
    EXPECT_FALSE(std::filesystem::exists(model)) << rule;
  }
}

// An update that sends the weights past float's range with every batch loss finite (a step of
// 3e38 on features of scale 10) leaves an objective that is not finite: the run fails whether or
// not it evaluates. (Formed in double, the objective of finite weights never overflows: a row of
// 1e37 under weights of scale 100 trains.)
TEST(FitCli, AnObjectiveThatIsNotFiniteFailsTheRunWithOrWithoutEvaluations) {
  ScratchDir scratch;
  std::string huge_row = "x,y\n", plain = "x,y\n";
  for (int i = 0; i < 500; ++i) {
    const double x = std::sin(1.0 + i);
    huge_row += std::to_string(i == 250 ? 1e37 : x) + "," + std::to_string(2.0 * x) + "\n";
    plain += std::to_string(10.0 * x) + "," + std::to_string(20.0 * x) + "\n";
  }
  const std::string huge = scratch.file("huge.csv", huge_row);
  const std::string ordinary = scratch.file("plain.csv", plain);
  const auto curve = scratch.path() / "curve.csv";
  for (const std::string& evaluated :
       {std::string(), " --eval-every 1 --curve-out " + shell_quoted(curve)}) {
    const auto stepped = run_cli(
        "train --device cpu --data " + shell_quoted(ordinary) + " --steps 1 --lr 3e38" + evaluated,
        scratch);
    EXPECT_EQ(stepped.exit_code, 1) << evaluated << stepped.err;
    EXPECT_EQ(stepped.err,
              "linsgd: error: training diverged: the objective over the data is not finite at "
              "step 1 of 1: an update sent the weights past float's range; try a smaller --lr (or "
              "--lr auto), or --standardize the features\n");
    EXPECT_FALSE(std::filesystem::exists(curve));
  }
  const auto scaled = run_cli("train --device cpu --data " + shell_quoted(huge) +
                                  " --batch-size 1 --sigma 100 --steps 20 --seed 3 --quiet",
                              scratch);
  EXPECT_EQ(scaled.exit_code, 0) << scaled.err;
}

TEST(FitCli, BadValuesAndOptionsThatDoNotApplyAreRefused) {
  const std::string train = "train --device cpu --rows 50 --features 3 ";
  expect_refusal(train + "--penalty l2 --alpha -1",
                 "invalid value for --alpha: -1 (must be a non-negative finite number)");
  expect_refusal(train + "--penalty elasticnet --l1-ratio 2",
                 "invalid value for --l1-ratio: 2 (must be in [0, 1])");
  expect_refusal(train + "--momentum 1", "invalid value for --momentum: 1 (must be in [0, 1))");
  expect_refusal(train + "--loss huber --epsilon -0.1",
                 "invalid value for --epsilon: -0.1 (must be a non-negative finite number)");
  for (const std::string epsilon : {"0", "1e-50"}) {
    expect_refusal(train + "--loss huber --epsilon " + epsilon,
                   "invalid value for --epsilon: " + epsilon +
                       " (must be above 0 for the Huber loss, and not below float's smallest "
                       "normal, 1.2e-38)");
  }
  expect_refusal(train + "--loss epsilon-insensitive --epsilon 1e39",
                 "invalid value for --epsilon: 1e+39 (beyond float's range)");
  expect_refusal(train + "--penalty l2 --alpha 1e39",
                 "invalid value for --alpha: 1e+39 (beyond float's range)");
  expect_refusal(train + "--loss hinge",
                 "invalid value for --loss: hinge (expected squared, huber, epsilon-insensitive "
                 "or squared-epsilon-insensitive)");
  expect_refusal(train + "--penalty l3",
                 "invalid value for --penalty: l3 (expected none, l2, l1 or elasticnet)");
  expect_refusal(train + "--steps 100 --average 100",
                 "invalid value for --average: 100 (must be a step of the run, 0 to 99)");
  expect_refusal(train + "--solver exact --loss huber",
                 "--solver exact solves the squared loss only, not --loss huber; use --solver sgd");
  expect_refusal(train + "--solver exact --penalty l1",
                 "--solver exact solves no or an L2 penalty, not --penalty l1; use --solver sgd");
  expect_refusal(train + "--solver exact --momentum 0.9",
                 "--momentum applies to the steps of --solver sgd, not to --solver exact");
  expect_refusal(train + "--solver exact --sigma 0.1",
                 "--sigma applies to the steps of --solver sgd, not to --solver exact");
  expect_refusal(train + "--solver exact --loss-out l.csv",
                 "--loss-out writes the steps' losses, and --solver exact takes no steps");
  expect_refusal(train + "--solver exact --plot p.png",
                 "--plot draws the steps' losses, and --solver exact takes no steps");
  expect_refusal(train + "--solver exact --curve-out c.csv",
                 "--curve-out writes the evaluations between steps, and --solver exact takes no "
                 "steps");
  expect_refusal(train + "--solver exact --checkpoint c.ckpt",
                 "--checkpoint saves or continues the steps of SGD, and --solver exact takes none");
  expect_refusal(train + "--nesterov", "--nesterov needs a --momentum above 0");
  expect_refusal(train + "--alpha 0.1", "--alpha applies with a --penalty");
  expect_refusal(train + "--penalty l1 --l1-ratio 0.5",
                 "--l1-ratio applies to --penalty elasticnet");
  expect_refusal(train + "--epsilon 0.2",
                 "--epsilon applies to the huber and epsilon-insensitive losses");
  expect_refusal(train + "--power-t 0.5", "--power-t applies to --schedule invscaling");
  expect_refusal(train + "--warmup 5", "--warmup applies to --schedule cosine");
  expect_refusal(train + "--n-iter-no-change 3",
                 "--n-iter-no-change applies with --tol or --schedule adaptive");
  expect_refusal(train + "--eval-every 10",
                 "--eval-every applies with --tol, --target-objective, --schedule adaptive or "
                 "--curve-out");
  expect_refusal(train + "--tol 1e-3 --steps 2000 --eval-every 2000",
                 "--eval-every 2000: no evaluation before the run's last step (2000), so --tol "
                 "would never act; evaluate more often");
  // With --epochs, against the steps they come to (3 x 50 rows in batches of 64: 3).
  expect_refusal(train + "--epochs 3 --schedule adaptive --eval-every 3",
                 "--eval-every 3: no evaluation before the run's last step (3), so --schedule "
                 "adaptive would never act; evaluate more often");
  expect_refusal(train + "--target-objective nan",
                 "--target-objective: invalid value nan (must be a decimal number)");
  expect_refusal(train + "--target-objective -1",
                 "invalid value for --target-objective: -1 (must be a finite number >= 0: the "
                 "objective is never negative)");
  expect_refusal(train + "--solver exact --target-objective 0.1",
                 "--target-objective applies to the steps of --solver sgd, not to --solver exact");
  expect_refusal(train + "--epochs 3 --steps 10", "use --steps or --epochs, not both");
  expect_refusal(train + "--epochs 0",
                 "invalid value for --epochs: 0 (must be a positive integer)");
  // Counted exactly (50 rows in batches of 64: an epoch is one step with either sampling).
  expect_refusal(train + "--sampling epoch --epochs 4611686018427387904",
                 "invalid value for --epochs: 4611686018427387904 (makes more steps than a run "
                 "can take (2^62))");
  expect_refusal(train + "--epochs 5902958103587056517",
                 "invalid value for --epochs: 5902958103587056517 (makes more steps than a run "
                 "can take (2^62))");
  expect_refusal(train + "--average -1",
                 "invalid value for --average: -1 (must be a step of the run, 0 or more)");
  expect_refusal(train + "--lr fast",
                 "invalid value for --lr: fast (must be a positive finite number, or auto)");
  expect_refusal(train + "--schedule cosine --warmup 3000 --steps 100",
                 "invalid value for --warmup: 3000 (must be 0 or more and less than the run's "
                 "steps)");
}

}  // namespace
}  // namespace linsgd
