// End-to-end tests of train / evaluate / predict on files: the diabetes data against its
// closed-form least-squares fit, predictions against X w + b recomputed from the model file,
// validation, loss and model outputs, divergence, and exit code 2 with a one-line error for
// every kind of bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "npy_writer.hpp"
#include "reference_sgd.hpp"

namespace linsgd {
namespace {

using testing::run_cli;
using testing::ScratchDir;
using testing::shell_quoted;

const std::string kDiabetes = std::string(LINSGD_TEST_DATA_DIR) + "/diabetes.csv";

// The diabetes CSV read with the standard library, independently of linsgd's reader.
struct Table {
  std::vector<std::vector<double>> rows;  // features then target
};
Table read_plain_csv(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);  // header
  Table table;
  while (std::getline(file, line)) {
    std::vector<double> row;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::stod(cell));
    table.rows.push_back(row);
  }
  return table;
}

// The standard output of a run that must succeed, and the error of one refused with exit 2 (and
// no output).
std::string output_of_run(const ScratchDir& dir, const std::string& arguments) {
  const auto run = run_cli(arguments, dir);
  EXPECT_EQ(run.exit_code, 0) << arguments << ": " << run.err;
  return run.out;
}
std::string refusal_by(const ScratchDir& dir, const std::string& arguments) {
  const auto run = run_cli(arguments, dir);
  EXPECT_EQ(run.exit_code, 2) << arguments;
  EXPECT_EQ(run.out, "") << arguments;
  return run.err;
}

// Trains on the diabetes data with --standardize (and `options`) into dir/model.json; call it
// inside ASSERT_NO_FATAL_FAILURE.
void train_diabetes_model(const ScratchDir& dir, const std::string& options,
                          std::filesystem::path& model) {
  model = dir.path() / "model.json";
  const auto trained = run_cli("train --device cpu --standardize " + options + " --data " +
                                   shell_quoted(kDiabetes) + " --model-out " + shell_quoted(model),
                               dir);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
}

TEST(RealData, DiabetesR2IsWithinTwoHundredthsOfTheClosedFormFit) {
  ScratchDir dir;
  std::filesystem::path model;
  ASSERT_NO_FATAL_FAILURE(train_diabetes_model(dir, "", model));
  const auto evaluated = run_cli(
      "evaluate --json --model " + shell_quoted(model) + " --data " + shell_quoted(kDiabetes), dir);
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  const auto metrics = nlohmann::json::parse(evaluated.out);
  for (const char* key : {"rows", "mse", "rmse", "mae", "r2"}) EXPECT_TRUE(metrics.contains(key));
  EXPECT_EQ(metrics["rows"], 442);

  const Table table = read_plain_csv(kDiabetes);
  std::vector<float> X, y;
  for (const auto& row : table.rows) {
    X.insert(X.end(), row.begin(), row.end() - 1);
    y.push_back(static_cast<float>(row.back()));
  }
  const testing::LinearFit fit = testing::least_squares(X, y, 442, 10);
  double mean = 0.0;
  for (float t : y) mean += t / 442.0;
  double residual = 0.0, total = 0.0;
  for (int i = 0; i < 442; ++i) {
    double prediction = fit.intercept;
    for (int j = 0; j < 10; ++j) prediction += fit.weights[j] * X[i * 10 + j];
    residual += (y[i] - prediction) * (y[i] - prediction);
    total += (y[i] - mean) * (y[i] - mean);
  }
  const double closed_form_r2 = 1.0 - residual / total;
  EXPECT_NEAR(metrics["r2"].get<double>(), closed_form_r2, 0.02);
  EXPECT_NEAR(metrics["mse"].get<double>(), residual / 442.0, 0.05 * residual / 442.0);
}

TEST(RealData, PredictionsEqualXwPlusBFromTheModelFile) {
  ScratchDir dir;
  std::filesystem::path model;
  ASSERT_NO_FATAL_FAILURE(train_diabetes_model(dir, "--steps 500", model));
  const auto json = nlohmann::json::parse(testing::read_text(model));
  const Table table = read_plain_csv(kDiabetes);

  // The same rows without the target column: predict must accept both.
  std::string features_only = "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6\n";
  {
    std::ifstream file(kDiabetes);
    std::string line;
    std::getline(file, line);
    while (std::getline(file, line)) features_only += line.substr(0, line.rfind(',')) + "\n";
  }
  const std::string no_target = dir.file("features.csv", features_only);
  for (const std::string& input : {kDiabetes, no_target}) {
    const auto out = dir.path() / "predictions.csv";
    const auto run = run_cli("predict --model " + shell_quoted(model) + " --data '" + input +
                                 "' --out " + shell_quoted(out),
                             dir);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::ifstream file(out);
    std::string line;
    std::getline(file, line);
    EXPECT_EQ(line, "prediction");
    for (size_t i = 0; i < table.rows.size(); ++i) {
      ASSERT_TRUE(std::getline(file, line)) << "missing row " << i;
      double expected = json["bias"].get<double>();
      for (int j = 0; j < 10; ++j) {
        const double z = (table.rows[i][j] - json["standardization"]["mean"][j].get<double>()) /
                         json["standardization"]["scale"][j].get<double>();
        expected += z * json["weights"][j].get<double>();
      }
      ASSERT_NEAR(std::stod(line), expected, 1e-5 * std::abs(expected)) << "row " << i;
    }
    EXPECT_FALSE(std::getline(file, line)) << "extra line: " << line;
  }
}

TEST(RealData, ValidationLossAndMetricsFiles) {
  ScratchDir dir;
  const auto metrics = dir.path() / "metrics.json";
  const auto losses = dir.path() / "loss.csv";
  const auto run = run_cli("train --device cpu --standardize --val-fraction 0.25 --data " +
                               shell_quoted(kDiabetes) + " --metrics-out " + shell_quoted(metrics) +
                               " --loss-out " + shell_quoted(losses),
                           dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("validation          111 rows: MSE"), std::string::npos) << run.out;
  const auto json = nlohmann::json::parse(testing::read_text(metrics));
  // round(0.25 * 442) = 111 rows held out.
  EXPECT_EQ(json["rows"], 331);
  EXPECT_EQ(json["validation"]["rows"], 111);
  EXPECT_GT(json["validation"]["r2"].get<double>(), 0.3);
  EXPECT_FALSE(json.contains("weight_rel_error")) << "no true weights for real data";
  std::ifstream file(losses);
  std::string line, last;
  std::getline(file, line);
  EXPECT_EQ(line, "step,batch_loss");
  int count = 0;
  while (std::getline(file, line)) {
    ++count;
    last = line;
  }
  EXPECT_EQ(count, 2000);
  EXPECT_EQ(last.substr(0, 5), "2000,");
  EXPECT_NEAR(std::stod(last.substr(5)), json["final_batch_loss"].get<double>(),
              1e-6 * json["final_batch_loss"].get<double>());
}

TEST(RealData, NpyWithLabelsTrains) {
  ScratchDir dir;
  const Table table = read_plain_csv(kDiabetes);
  std::vector<double> X, y;
  for (const auto& row : table.rows) {
    X.insert(X.end(), row.begin(), row.end() - 1);
    y.push_back(row.back());
  }
  const auto x_path = dir.file("X.npy", testing::npy_bytes({"<f8", false, {442, 10}}, X));
  const auto y_path = dir.file("y.npy", testing::npy_bytes({"<f4", false, {442}}, y));
  const auto run = run_cli(
      "train --device cpu --standardize --data '" + x_path + "' --labels '" + y_path + "'", dir);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("442 rows x 10 features"), std::string::npos) << run.out;
}

// Trained on columns taken by position with --target elsewhere than last, a model keeps where
// the target stood (its index among the features and the target), and evaluate and predict
// look for it there without --target; a weight column beside them is left out of that count,
// and named (for --sample-weight) in a file laid out as the training file was.
TEST(RealData, AModelFindsItsTargetWhereItStoodInTraining) {
  ScratchDir dir;
  const Table table = read_plain_csv(kDiabetes);
  std::vector<double> target_first, weighted, features;
  for (const auto& row : table.rows) {
    target_first.push_back(row.back());
    weighted.insert(weighted.end(), {1.0, row.back()});
    target_first.insert(target_first.end(), row.begin(), row.end() - 1);
    weighted.insert(weighted.end(), row.begin(), row.end() - 1);
    features.insert(features.end(), row.begin(), row.end() - 1);
  }
  const std::string data =
      dir.file("target_first.npy", testing::npy_bytes({"<f8", false, {442, 11}}, target_first));
  const std::string weighted_data =
      dir.file("weighted.npy", testing::npy_bytes({"<f8", false, {442, 12}}, weighted));
  const std::string features_only =
      dir.file("features.npy", testing::npy_bytes({"<f8", false, {442, 10}}, features));
  const auto output_of = [&](const std::string& arguments) {
    const auto run = run_cli(arguments, dir);
    EXPECT_EQ(run.exit_code, 0) << arguments << ": " << run.err;
    return run.out;
  };
  // (A validation split keeps the layout too; its fit, on 90 % of the rows, is near the whole's.)
  for (const std::string& training : {"--data '" + data + "' --target 0",
                                      "--data '" + weighted_data + "' --sample-weight 0 --target 1",
                                      "--data '" + data + "' --target 0 --val-fraction 0.1"}) {
    const auto model = dir.path() / "model.json";
    output_of("train --device cpu --solver exact -q " + training + " --model-out " +
              shell_quoted(model));
    const auto json = nlohmann::json::parse(testing::read_text(model));
    EXPECT_EQ(json["target_column"], 0) << training;
    EXPECT_EQ(json["named_features"], false) << training;
    // A weighted model's file of one column more than its features holds the target or the
    // weights: it must say which (AWeightedModelsWeightsInAFileAreNamedNeverRead).
    const bool weighted_training = training.find("--sample-weight") != std::string::npos;
    const std::string said = weighted_training ? "' --target 0" : "'";
    const std::string evaluate =
        "evaluate --json --model " + shell_quoted(model) + " --data '" + data + said;
    const auto metrics = nlohmann::json::parse(output_of(evaluate));
    if (!weighted_training) {
      EXPECT_EQ(metrics, nlohmann::json::parse(output_of(evaluate + " --target 0"))) << training;
    }
    // The closed-form fit's R2 on these rows (the exact solver's).
    const bool split = training.find("--val-fraction") != std::string::npos;
    EXPECT_NEAR(metrics["r2"].get<double>(), 0.5177, split ? 0.02 : 1e-3) << training;
    const std::string predict = "predict --model " + shell_quoted(model) + " --data '";
    EXPECT_EQ(output_of(predict + data + said), output_of(predict + features_only + "'"))
        << training;
    // The training file itself, its weight column included: named, and read with
    // --sample-weight (all 1 here: the metrics are the unweighted ones).
    EXPECT_EQ(json.contains("weight_column"), weighted_training) << training;
    if (!weighted_training) continue;
    EXPECT_EQ(json["weight_column"], 0);
    const std::string on_weighted =
        "evaluate --json --model " + shell_quoted(model) + " --data '" + weighted_data + "'";
    const auto refused = run_cli(on_weighted, dir);
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_EQ(refused.err, "linsgd: error: " + weighted_data +
                               " has 12 columns but the model takes 10 features and a target; "
                               "the model was trained with sample weights, which a file laid out "
                               "as this one holds in column 0: pass --sample-weight 0\n");
    EXPECT_EQ(nlohmann::json::parse(output_of(on_weighted + " --sample-weight 0")), metrics);
    EXPECT_EQ(output_of(predict + weighted_data + "' --sample-weight 0"),
              output_of(predict + features_only + "'"));
  }
}

// A model trained on columns without names reads a file with a header by position (its names
// checked against nothing), and says so in one note; a file without one needs no note.
TEST(RealData, AHeaderAModelCannotMatchIsNotedAsTakenByPosition) {
  ScratchDir dir;
  const std::string bare = dir.file("bare.csv", "1,2,3\n2,1,4\n3,5,2\n4,4,7\n5,0,6\n");
  const std::string named = dir.file("named.csv", "a,b,y\n1,2,3\n2,1,4\n");
  const auto model = shell_quoted(dir.path() / "model.json");
  ASSERT_EQ(
      run_cli("train --device cpu --solver exact -q --data '" + bare + "' --model-out " + model,
              dir)
          .exit_code,
      0);
  const std::string note = "linsgd: note: " + named +
                           ": the model was trained on columns without names, so these are taken "
                           "by position: features a, b; target y\n";
  const auto evaluated = run_cli("evaluate --model " + model + " --data '" + named + "'", dir);
  EXPECT_EQ(evaluated.exit_code, 0);
  EXPECT_EQ(evaluated.err, note);
  const auto predicted = run_cli("predict --model " + model + " --data '" + named + "'", dir);
  EXPECT_EQ(predicted.exit_code, 0);
  EXPECT_EQ(predicted.err, note);
  EXPECT_EQ(run_cli("evaluate --model " + model + " --data '" + bare + "'", dir).err, "");
}

// A header of numbers (years) needs --header to train on; predict and evaluate then know it by
// the model's names, as the training file's header, not as a row of data (it read as a sixth
// row, predicted and scored, before).
TEST(RealData, AHeaderOfNumbersIsKnownByTheModelsNames) {
  ScratchDir dir;
  const std::string rows = "1,2,3\n2,1,4\n3,5,2\n4,4,7\n5,0,6\n";
  const std::string years = dir.file("years.csv", "2019,2020,2021\n" + rows);
  const std::string bare = dir.file("bare.csv", rows);
  const auto model = shell_quoted(dir.path() / "model.json");
  const auto output_of = [&](const std::string& arguments) {
    const auto run = run_cli(arguments, dir);
    EXPECT_EQ(run.exit_code, 0) << arguments << ": " << run.err;
    return run.out;
  };
  output_of("train --device cpu --solver exact -q --header --data '" + years + "' --model-out " +
            model);
  const std::string predict = "predict --model " + model + " --data ";
  const std::string predictions = output_of(predict + "'" + years + "'");
  EXPECT_EQ(std::count(predictions.begin(), predictions.end(), '\n'), 6);  // a line and 5 rows
  EXPECT_EQ(predictions, output_of(predict + "'" + bare + "'"));
  const auto metrics = nlohmann::json::parse(
      output_of("evaluate --json --model " + model + " --data '" + years + "'"));
  EXPECT_EQ(metrics["rows"], 5);
  // A first row of data that holds the names in another order is data (a row of a model of
  // columns 0,1,2, say): only the training header, in order, is one.
  const std::string shuffled = dir.file("shuffled.csv", "2020,2019,2021\n" + rows);
  const std::string six = output_of(predict + "'" + shuffled + "'");
  EXPECT_EQ(std::count(six.begin(), six.end(), '\n'), 7);
}

// A column the model leaves out may have a name that is not UTF-8 (a Latin-1 export): the file
// is read, and the one line naming the columns left out shows it escaped.
TEST(RealData, AColumnLeftOutMayHaveANameThatIsNotUtf8) {
  ScratchDir dir;
  const auto model = shell_quoted(dir.path() / "model.json");
  const std::string rows = "1,2,3\n2,1,4\n3,5,2\n4,4,7\n";
  ASSERT_EQ(run_cli("train --device cpu --solver exact -q --data '" +
                        dir.file("ab.csv", "a,b,y\n" + rows) + "' --model-out " + model,
                    dir)
                .exit_code,
            0);
  const std::string latin1 = dir.file("latin1.csv",
                                      "a,b,y,Gr\xF6\xDF"
                                      "e\n1,2,3,9\n");
  const auto run = run_cli("predict --model " + model + " --data '" + latin1 + "'", dir);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "linsgd: " + latin1 +
                         ": ignoring the columns the model does not use: 'Gr\\xf6\\xdfe'\n");
}

// A model trained with a weight column, given a file without a header that holds such weights
// and no --sample-weight: refused, naming the --sample-weight that leaves them out (their place in
// this file's layout), never read as a feature or the target. One column more than the features
// with nothing said may be the target (the training file without its weights) or the weights
// (without its target, or the training file itself where --labels held the targets): the wrong
// guess would give wrong predictions and metrics without a word, so --target is named too. The
// advice, followed, gives the predictions of the features alone, for the weights before the
// target, after it, and in a --labels training file.
TEST(RealData, AWeightedModelsWeightsInAFileAreNamedNeverRead) {
  ScratchDir dir;
  const Table table = read_plain_csv(kDiabetes);
  const auto rows = static_cast<int64_t>(table.rows.size());
  // A file of the rows laid out as `layout` says: 'x' the 10 features ('a' the first two, 'b' the
  // other eight), 'y' the target, 'w' the weights (1 to 3).
  const auto file_of = [&](const std::string& name, const std::string& layout) {
    std::vector<double> values;
    for (int64_t i = 0; i < rows; ++i) {
      const auto& row = table.rows[static_cast<size_t>(i)];
      for (const char part : layout) {
        if (part == 'x') values.insert(values.end(), row.begin(), row.end() - 1);
        if (part == 'a') values.insert(values.end(), row.begin(), row.begin() + 2);
        if (part == 'b') values.insert(values.end(), row.begin() + 2, row.end() - 1);
        if (part == 'y') values.push_back(row.back());
        if (part == 'w') values.push_back(1.0 + static_cast<double>(i % 3));
      }
    }
    const auto columns = static_cast<int64_t>(values.size()) / rows;
    return dir.file(name, testing::npy_bytes({"<f8", false, {rows, columns}}, values));
  };
  const std::string features_only = file_of("x.npy", "x");
  std::vector<double> targets;
  for (const auto& row : table.rows) targets.push_back(row.back());
  const std::string labels = dir.file("y.npy", testing::npy_bytes({"<f8", false, {rows}}, targets));
  const auto output_of = [&](const std::string& arguments) {
    return output_of_run(dir, arguments);
  };
  const auto refusal_of = [&](const std::string& arguments) { return refusal_by(dir, arguments); };
  const auto model = dir.path() / "model.json";
  const std::string predict = "predict --model " + shell_quoted(model) + " --data ";
  const std::string evaluate = "evaluate --json --model " + shell_quoted(model) + " --data ";
  struct Case {
    std::string training, layout, without_target, target, weights;
  };
  for (const Case& c : {Case{"--target 0 --sample-weight 1", "ywx", "wx", "0", "0"},
                        Case{"--target 10 --sample-weight 11", "xyw", "xw", "10", "10"},
                        Case{"--target 0 --sample-weight 11", "yxw", "xw", "0", "10"}}) {
    SCOPED_TRACE(c.training);
    const std::string training = file_of("train.npy", c.layout);
    output_of("train --device cpu --solver exact -q --data '" + training + "' " + c.training +
              " --model-out " + shell_quoted(model));
    const std::string expected = output_of(predict + "'" + features_only + "'");
    const std::string without_target = file_of("without_target.npy", c.without_target);
    EXPECT_EQ(refusal_of(predict + "'" + without_target + "'"),
              "linsgd: error: " + without_target +
                  " has 11 columns but the model takes 10 features, and one more: the target or "
                  "the sample weights it was trained with; pass --target " +
                  c.target + " or --sample-weight " + c.weights +
                  " (their places in a file laid out as the training file, less the other)\n");
    EXPECT_EQ(output_of(predict + "'" + without_target + "' --sample-weight " + c.weights),
              expected);
    // With the targets beside it (--labels), the extra column can only be the weights.
    const std::string with_labels = evaluate + "'" + without_target + "' --labels '" + labels + "'";
    EXPECT_EQ(refusal_of(with_labels),
              "linsgd: error: " + without_target +
                  " has 11 columns but the model takes 10 features (the targets are in " + labels +
                  "); the model was trained with sample weights, which a file laid out as this "
                  "one holds in column " +
                  c.weights + ": pass --sample-weight " + c.weights + "\n");
    const auto metrics =
        nlohmann::json::parse(output_of(with_labels + " --sample-weight " + c.weights));
    // The exact solve's weighted fit, weighed as it was trained: R2 near the unweighted fit's
    // 0.5177 (the weights 1 to 3 repeat every third row).
    EXPECT_NEAR(metrics["r2"].get<double>(), 0.5177, 0.02);
    // The training file itself: the weights at their place in it.
    const std::string weight_place = c.training.substr(c.training.rfind(' ') + 1);
    EXPECT_EQ(refusal_of(evaluate + "'" + training + "'"),
              "linsgd: error: " + training +
                  " has 12 columns but the model takes 10 features and a target; the model was "
                  "trained with sample weights, which a file laid out as this one holds in "
                  "column " +
                  weight_place + ": pass --sample-weight " + weight_place + "\n");
    EXPECT_EQ(output_of(predict + "'" + training + "' --sample-weight " + weight_place), expected);
  }
  // A --labels training file (the weights in column 2, the targets beside it): its own layout is
  // the features and the weights.
  const std::string weighted = file_of("xw.npy", "awb");
  output_of("train --device cpu --solver exact -q --data '" + weighted + "' --labels '" + labels +
            "' --sample-weight 2 --model-out " + shell_quoted(model));
  EXPECT_EQ(refusal_of(predict + "'" + weighted + "'"),
            "linsgd: error: " + weighted +
                " has 11 columns but the model takes 10 features, and one more: the target or "
                "the sample weights it was trained with; pass --target 10 or --sample-weight 2 "
                "(their places in a file laid out as the training file, less the other)\n");
  const std::string expected = output_of(predict + "'" + features_only + "'");
  EXPECT_EQ(output_of(predict + "'" + weighted + "' --sample-weight 2"), expected);
  // With the targets beside it, the extra column can only be the weights.
  EXPECT_EQ(refusal_of(evaluate + "'" + weighted + "' --labels '" + labels + "'"),
            "linsgd: error: " + weighted +
                " has 11 columns but the model takes 10 features (the targets are in " + labels +
                "); the model was trained with sample weights, which a file laid out as this one "
                "holds in column 2: pass --sample-weight 2\n");
  const auto metrics = nlohmann::json::parse(
      output_of(evaluate + "'" + weighted + "' --labels '" + labels + "' --sample-weight 2"));
  // The exact solve's weighted fit of these rows, weighed as it was trained: R2 near the
  // unweighted fit's 0.5177 (the weights 1 to 3 repeat every third row).
  EXPECT_NEAR(metrics["r2"].get<double>(), 0.5177, 0.02);
}

// The same for a model trained on a header's named columns (the target first, the weights
// last, each by name): a file without a header is read by position, so the model keeps the
// weights' place as it does for a file without one, and a file of its features and weights, or
// laid out as the training file, is refused naming the --sample-weight to pass (they were read as
// a feature and the target before, or the first feature as the target). A file with the header
// finds every column by name.
TEST(RealData, AWeightedModelOfNamedColumnsNamesItsWeightsInAFileWithoutAHeader) {
  ScratchDir dir;
  const Table table = read_plain_csv(kDiabetes);
  // 'y' the target, 'x' the 10 features, 'w' the weights (1 to 3); a header when asked.
  const auto csv_of = [&](const std::string& name, const std::string& layout, bool header) {
    std::string text;
    if (header) text = "target,age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,w\n";
    for (size_t i = 0; i < table.rows.size(); ++i) {
      const auto& row = table.rows[i];
      std::vector<double> values;
      for (const char part : layout) {
        if (part == 'y') values.push_back(row.back());
        if (part == 'x') values.insert(values.end(), row.begin(), row.end() - 1);
        if (part == 'w') values.push_back(1.0 + static_cast<double>(i % 3));
      }
      for (size_t k = 0; k < values.size(); ++k) {
        std::ostringstream cell;  // the file's own digits (6 significant at most)
        cell << values[k];
        text += (k == 0 ? "" : ",") + cell.str();
      }
      text += "\n";
    }
    return dir.file(name, text);
  };
  const auto output_of = [&](const std::string& arguments) {
    return output_of_run(dir, arguments);
  };
  const auto refusal_of = [&](const std::string& arguments) { return refusal_by(dir, arguments); };
  const auto model = dir.path() / "model.json";
  const std::string training = csv_of("train.csv", "yxw", true);
  output_of("train --device cpu --solver exact -q --data '" + training +
            "' --target target --sample-weight w --model-out " + shell_quoted(model));
  const auto json = nlohmann::json::parse(testing::read_text(model));
  EXPECT_EQ(json["target_column"], 0);
  EXPECT_EQ(json["weight_column"], 11);
  const std::string predict = "predict --model " + shell_quoted(model) + " --data '";
  const std::string expected = output_of(predict + csv_of("x.csv", "x", false) + "'");
  EXPECT_EQ(output_of(predict + training + "'"), expected);  // by name: the weights left out
  const std::string features_and_weights = csv_of("xw.csv", "xw", false);
  EXPECT_EQ(refusal_of(predict + features_and_weights + "'"),
            "linsgd: error: " + features_and_weights +
                " has 11 columns but the model takes 10 features, and one more: the target or "
                "the sample weights it was trained with; pass --target 0 or --sample-weight 10 "
                "(their places in a file laid out as the training file, less the other)\n");
  EXPECT_EQ(output_of(predict + features_and_weights + "' --sample-weight 10"), expected);
  const std::string unnamed = csv_of("yxw.csv", "yxw", false);
  EXPECT_EQ(refusal_of("evaluate --model " + shell_quoted(model) + " --data '" + unnamed + "'"),
            "linsgd: error: " + unnamed +
                " has 12 columns but the model takes 10 features and a target; the model was "
                "trained with sample weights, which a file laid out as this one holds in column "
                "11: pass --sample-weight 11\n");
  EXPECT_EQ(output_of(predict + unnamed + "' --sample-weight 11"), expected);
}

TEST(RealData, DivergenceStopsWithTheStepAndWritesNoModel) {
  ScratchDir dir;
  const auto model = dir.path() / "model.json";
  const auto run = run_cli("train --device cpu --lr 10 --data " + shell_quoted(kDiabetes) +
                               " --model-out " + shell_quoted(model),
                           dir);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err.rfind("linsgd: error: training diverged: the batch loss became ", 0), 0u)
      << run.err;
  EXPECT_NE(run.err.find("try a smaller --lr (or --lr auto), or --standardize"), std::string::npos)
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(model));
  // Standardized already, the features are not the advice's.
  const auto standardized =
      run_cli("train --device cpu --lr 10 --standardize --data " + shell_quoted(kDiabetes) +
                  " --model-out " + shell_quoted(model),
              dir);
  EXPECT_EQ(standardized.exit_code, 1);
  EXPECT_EQ(standardized.err.rfind("linsgd: error: training diverged: ", 0), 0u)
      << standardized.err;
  EXPECT_NE(standardized.err.find("; try a smaller --lr (or --lr auto)\n"), std::string::npos)
      << standardized.err;
  EXPECT_FALSE(std::filesystem::exists(model));
}

// Targets whose squares overflow float make the first batch loss infinite before any step: the
// data's scale, not the rate, is at fault, and the error says so (exit code 2, no model).
TEST(RealData, TargetsTooLargeToSquareInFloatAreNamedAtTheFirstStep) {
  ScratchDir dir;
  std::string rows = "a,b,y\n";
  for (int i = 0; i < 40; ++i) {
    rows += std::to_string(i % 7) + "," + std::to_string(i % 5) + "," + std::to_string(1 + i % 3) +
            "e20\n";
  }
  const std::string data = dir.file("huge.csv", rows);
  const auto model = dir.path() / "model.json";
  const auto run = run_cli("train --device cpu --lr auto --data " + shell_quoted(data) +
                               " --model-out " + shell_quoted(model),
                           dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "linsgd: error: the batch loss of step 1, before any update, is inf: the starting "
            "model's loss on the data overflows float; scale the target down (divide it by a "
            "power of 10), or --standardize the features, or start from smaller weights "
            "(--sigma)\n")
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(model));
  // Standardized, the features are of scale 1: the targets remain, and the starting weights.
  EXPECT_EQ(run_cli("train --device cpu --lr auto --standardize --data " + shell_quoted(data) +
                        " --model-out " + shell_quoted(model),
                    dir)
                .err,
            "linsgd: error: the batch loss of step 1, before any update, is inf: the starting "
            "model's loss on the data overflows float; scale the target down (divide it by a "
            "power of 10), or start from smaller weights (--sigma)\n");
  EXPECT_FALSE(std::filesystem::exists(model));
}

// Bad input: exit code 2, one stderr line starting "linsgd: error:", containing `named`.
void expect_refusal(const std::string& arguments, const std::string& named, const ScratchDir& dir) {
  const testing::CliRun run = run_cli(arguments, dir);
  EXPECT_EQ(run.exit_code, 2) << arguments << "\nstderr: " << run.err;
  EXPECT_EQ(run.err.rfind("linsgd: error: ", 0), 0u) << run.err;
  EXPECT_NE(run.err.find(named), std::string::npos) << "expected '" << named << "' in " << run.err;
  EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << "not one line: " << run.err;
}

TEST(BadInput, DataFilesAreRefusedWithExitCode2) {
  ScratchDir dir;
  const auto train = [&](const std::string& name, const std::string& text) {
    return "train --device cpu --data '" + dir.file(name, text) + "'";
  };
  expect_refusal("train --device cpu --data '" + (dir.path() / "none.csv").string() + "'",
                 "none.csv: No such file or directory", dir);
  expect_refusal(train("empty.csv", ""), "empty.csv: the file is empty", dir);
  expect_refusal(train("header.csv", "a,b,y\n"), "no data rows after the header", dir);
  expect_refusal(train("short.csv", "a,b,y\n1,2,3\n1,2\n"), "line 3: expected 3 fields, found 2",
                 dir);
  expect_refusal(train("long.csv", "a,b,y\n1,2,3,4\n"), "line 2: expected 3 fields, found 4", dir);
  expect_refusal(train("text.csv", "a,b,y\n1,x,3\n"), "line 2, column 2: not a number: 'x'", dir);
  expect_refusal(train("nan.csv", "a,b,y\n1,2,NaN\n"), "line 2, column 3: non-finite value 'NaN'",
                 dir);
  expect_refusal(train("inf.csv", "a,b,y\ninf,2,3\n"), "line 2, column 1: non-finite value 'inf'",
                 dir);
  expect_refusal(train("t.csv", "a,b,y\n1,2,3\n") + " --target price",
                 "--target price: no column of that name", dir);
  expect_refusal(train("t.csv", "a,b,y\n1,2,3\n") + " --target 5", "--target 5: index out of range",
                 dir);
  expect_refusal(train("one.csv", "y\n1\n2\n"), "only one column", dir);
}

TEST(BadInput, NpyFilesAreRefusedWithExitCode2) {
  ScratchDir dir;
  const auto npy = [&](const std::string& name, const testing::NpySpec& spec,
                       const std::vector<double>& values) {
    return "train --device cpu --data '" + dir.file(name, testing::npy_bytes(spec, values)) + "'";
  };
  expect_refusal(npy("i.npy", {"<i4", false, {2, 2}}, {1, 2, 3, 4}), "unsupported dtype '<i4'",
                 dir);
  expect_refusal(npy("r.npy", {"<f4", false, {2, 2, 1}}, {1, 2, 3, 4}),
                 "expected a 2-D array (rows x columns), found shape (2,2,1)", dir);
  expect_refusal(npy("f.npy", {"<f4", true, {2, 2}}, {1, 2, 3, 4}), "Fortran-order array", dir);
  expect_refusal(npy("t.npy", {"<f8", false, {2, 2}, 5}, {1, 2, 3, 4}), "truncated .npy payload",
                 dir);
  const auto labels = dir.file("y.npy", testing::npy_bytes({"<f4", false, {3}}, {1, 2, 3}));
  expect_refusal(npy("X.npy", {"<f4", false, {2, 2}}, {1, 2, 3, 4}) + " --labels '" + labels + "'",
                 "3 targets, but", dir);
}

TEST(BadInput, ModelsAndFeatureCountsAreRefusedWithExitCode2) {
  ScratchDir dir;
  std::filesystem::path model;
  ASSERT_NO_FATAL_FAILURE(train_diabetes_model(dir, "--steps 10", model));
  // A header without the model's feature names: the missing ones are named.
  const std::string named = dir.file("named.csv", "age,b,y\n1,2,3\n");
  expect_refusal("evaluate --model " + shell_quoted(model) + " --data '" + named + "'",
                 "named.csv: the header has no column 'sex', 'bmi', 'bp', 's1', 's2', 's3', "
                 "'s4', 's5', 's6' (the model's features, matched by name: age, sex, bmi, bp, "
                 "s1, s2, s3, s4, s5, s6)",
                 dir);
  // predict reads no targets: --labels is refused, not ignored.
  expect_refusal(
      "predict --model " + shell_quoted(model) + " --data '" + named + "' --labels y.npy",
      "--labels: predict reads no targets; evaluate scores a model against them", dir);
  const auto help = run_cli("predict --help", dir);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--sample-weight"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("--labels"), std::string::npos) << help.out;  // not offered
  // No header: by position, and the counts must agree.
  const std::string narrow = dir.file("narrow.csv", "1,2,3\n");
  expect_refusal("evaluate --model " + shell_quoted(model) + " --data '" + narrow + "'",
                 "narrow.csv has 2 feature columns but the model expects 10", dir);
  expect_refusal("predict --model " + shell_quoted(model) + " --data '" + narrow + "'",
                 "narrow.csv has 3 columns but the model takes 10 features: 10 columns, or 11 "
                 "with the target last",
                 dir);
  // The model's features and no target (predict's input): evaluate names the missing target.
  const std::string features_only = dir.file(
      "features.npy", testing::npy_bytes({"<f4", false, {1, 10}}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  expect_refusal("evaluate --model " + shell_quoted(model) + " --data '" + features_only + "'",
                 "features.npy has 10 columns, the model's features, and no target after them "
                 "to evaluate against: add the target as the last column, or (with a .npy) pass "
                 "it with --labels",
                 dir);

  const std::string text = testing::read_text(model);
  const auto evaluate = [&](const std::string& name, const std::string& content) {
    return "evaluate --data " + shell_quoted(kDiabetes) + " --model '" + dir.file(name, content) +
           "'";
  };
  expect_refusal(evaluate("cut.json", text.substr(0, text.size() / 3)),
                 "not a valid model file (truncated or not JSON)", dir);
  expect_refusal(evaluate("junk.json", "<html>"), "not a valid model file", dir);
  auto json = nlohmann::json::parse(text);
  json["version"] = 2;
  expect_refusal(evaluate("v2.json", json.dump()), "model format version 2 is not supported", dir);
  json = nlohmann::json::parse(text);
  json["weights"][3] = nullptr;
  expect_refusal(evaluate("nan.json", json.dump()), "weights[3] is not a number", dir);
  expect_refusal("evaluate --data " + shell_quoted(kDiabetes) + " --model '" +
                     (dir.path() / "absent.json").string() + "'",
                 "cannot open model", dir);
}

TEST(BadInput, ValidationOptionsAreRefusedWithExitCode2) {
  ScratchDir dir;
  const std::string base = "train --device cpu --data " + shell_quoted(kDiabetes);
  expect_refusal(base + " --val-fraction 0", "--val-fraction: 0 (must be in (0, 1))", dir);
  expect_refusal(base + " --val-fraction 1", "--val-fraction: 1 (must be in (0, 1))", dir);
  expect_refusal(base + " --val-fraction -0.2", "--val-fraction: -0.2", dir);
  expect_refusal(base + " --val-fraction 0.9999", "leaves no training rows", dir);
  expect_refusal("train --device cpu --val-fraction 0.2", "--val-fraction needs --data", dir);
  expect_refusal("train --device cpu --target 3", "--target needs --data", dir);
  expect_refusal("train --device cpu --labels y.npy", "--labels needs --data", dir);
  expect_refusal("train --device cpu --header", "--header needs --data", dir);
  expect_refusal("train --device cpu --no-header", "--no-header needs --data", dir);
  expect_refusal("train --device cpu --delimiter tab", "--delimiter needs --data", dir);
  expect_refusal(base + " --delimiter ab", "--delimiter", dir);
  expect_refusal(base + " --delimiter \"$(printf 'a\\nb')\"",
                 "invalid value for --delimiter: 'a\\nb' (one character, not a quote, a line end "
                 "or one of a number's: a digit, '.', '+', '-', 'e', 'E'; or 'tab')",
                 dir);
  // One that would split numbers into other numbers (1.5 into 1 and 5) is refused.
  for (const char* delimiter : {".", "-", "e", "1"}) {
    expect_refusal(base + " --delimiter " + delimiter,
                   std::string("invalid value for --delimiter: '") + delimiter + "' (one character",
                   dir);
  }
}

}  // namespace
}  // namespace linsgd
