// The model file (bit-exact round trip, a clear error for each kind of damage), predict(),
// standardization, the validation split and the regression metrics.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <numeric>
#include <optional>
#include <string>

#include "cli_runner.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/metrics.hpp"
#include "linsgd/model.hpp"
#include "model/model_file.hpp"
#include "model/preprocessing.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

using testing::ScratchDir;

Model sample_model() {
  Model model;
  model.feature_names = {"a", "b", "c"};
  model.target_name = "y";
  model.named_features = true;
  model.target_column = 1;  // a, y, b, c in the training file
  // Values that need all nine significant digits of a float.
  model.weights = {0.1f, -1.0f / 3.0f, 1.17549435e-38f};
  model.bias = 2.7182817f;
  model.standardization = Standardization{{1.5f, -2.25f, 1e-7f}, {0.3f, 1.0f, 7.123456e5f}};
  model.hyperparameters.seed = 99;
  model.metrics["full_loss"] = 0.125;
  model.metrics["steps_run"] = 300.0;
  return model;
}

std::string load_error(const std::string& path) {
  try {
    load_model(path);
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error loading " << path;
  return "";
}

TEST(ModelFile, RoundTripsBitExact) {
  ScratchDir dir;
  const auto path = (dir.path() / "m.json").string();
  const Model model = sample_model();
  save_model(model, path);
  const Model loaded = load_model(path);
  EXPECT_EQ(0, std::memcmp(loaded.weights.data(), model.weights.data(), 3 * sizeof(float)));
  EXPECT_EQ(loaded.bias, model.bias);
  ASSERT_TRUE(loaded.standardization);
  EXPECT_EQ(loaded.standardization->mean, model.standardization->mean);
  EXPECT_EQ(loaded.standardization->scale, model.standardization->scale);
  EXPECT_EQ(loaded.feature_names, model.feature_names);
  EXPECT_TRUE(loaded.named_features);
  EXPECT_EQ(loaded.target_column, std::optional<int64_t>(1));
  EXPECT_EQ(loaded.hyperparameters.seed, 99u);
  EXPECT_EQ(loaded.metrics.at("full_loss"), 0.125);
  EXPECT_EQ(loaded.metrics.at("steps_run"), 300.0);
  // A count is written as an integer, as the metrics JSON has it.
  EXPECT_NE(testing::read_text(path).find("\"steps_run\": 300\n"), std::string::npos);
  // No temporary file left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

// JSON has no infinity or NaN: a model holding one is refused, naming it, and nothing written.
TEST(ModelFile, ANonFiniteValueOrARepeatedNameIsRefusedAndNothingWritten) {
  ScratchDir dir;
  const auto path = (dir.path() / "m.json").string();
  const auto refusal = [&](const Model& model) {
    try {
      save_model(model, path);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  Model model = sample_model();
  model.weights[1] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(refusal(model), "the model's weight 1 is inf: not written");
  model = sample_model();
  model.bias = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(refusal(model), "the model's bias is nan: not written");
  model = sample_model();
  model.standardization->scale[2] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(refusal(model), "the model's feature scale 2 is -inf: not written");
  model = sample_model();  // a file that load would refuse is not written either
  model.feature_names[2] = model.feature_names[0];
  EXPECT_EQ(refusal(model),
            "the model's feature names hold '" + model.feature_names[0] + "' twice: not written");
  // Nor one whose sizes or scales no reader takes.
  EXPECT_EQ(refusal(Model{}), "the model has no weights");
  model = sample_model();
  model.feature_names.pop_back();
  EXPECT_EQ(refusal(model), "the model has 3 weights and 2 feature names: one a weight");
  model.feature_names.clear();  // none: those of data without a header
  model.named_features = false;
  save_model(model, path);
  EXPECT_EQ(load_model(path).feature_names, (std::vector<std::string>{"x0", "x1", "x2"}));
  std::filesystem::remove(path);
  model = sample_model();
  model.standardization->mean = {0.0f};
  EXPECT_EQ(refusal(model),
            "the model's standardization has 1 mean and 3 scales for its 3 weights");
  model = sample_model();
  model.standardization->scale[1] = 0.0f;
  EXPECT_EQ(refusal(model), "the model's standardization scale 1 is 0.000000: it must be above 0");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 0);
}

// predict refuses what it cannot read: a model no file could hold (a standardization of
// another size read past its arrays), a view of rows without X, a Dataset whose X is not rows x
// features (all read past the arrays before).
TEST(Predict, RefusesArraysAndModelsItCannotRead) {
  const Model model = sample_model();
  Dataset data;
  data.rows = 2;
  data.features = 3;
  data.X = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
  data.source = "rows";
  EXPECT_EQ(predict(model, data).size(), 2u);
  Model unscaled = model;
  unscaled.standardization->scale.clear();
  EXPECT_EQ(testing::message_of<UsageError>([&] { predict(unscaled, data); }),
            "the model's standardization has 3 means and 0 scales for its 3 weights");
  Dataset short_x = data;
  short_x.rows = 50000000;
  EXPECT_EQ(testing::message_of<InputError>([&] { predict(model, short_x); }),
            "rows: X holds 6 values, not rows x features = 50000000 x 3");
  DataView no_x;
  no_x.rows = 3;
  no_x.features = 3;
  EXPECT_EQ(testing::message_of<InputError>([&] { predict(model, no_x); }),
            "the data: 3 rows and no X");
}

// Every hyperparameter of a fit reads back as written; unset ones (no tol, no target, no time
// budget, no averaging) as unset.
TEST(ModelFile, RoundTripsTheFitHyperparameters) {
  ScratchDir dir;
  Model model = sample_model();
  TrainConfig& c = model.hyperparameters;
  c.learning_rate = 0.37;
  c.learning_rate_auto = true;
  c.loss = Loss::kHuber;
  c.epsilon = 0.5;
  c.penalty = Penalty::kElasticNet;
  c.alpha = 0.02;
  c.l1_ratio = 0.7;
  c.sampling = Sampling::kEpoch;
  c.schedule = Schedule::kCosine;
  c.warmup = 12;
  c.momentum = 0.6;
  c.nesterov = true;
  c.average_from = 40;
  c.eval_every = 9;
  c.tol = 1e-7;
  c.target_objective = 2.5e-5;
  c.n_iter_no_change = 3;
  c.max_seconds = 2.5;  // not the model's: not written
  c.solver = Solver::kSgd;
  c.epochs = 25;  // asked for, besides the steps they resolved into
  c.fit_intercept = false;
  model.validation_fraction = 0.25;
  for (const bool unset : {false, true}) {
    if (unset) {
      c.epochs = 0;
      c.fit_intercept = true;  // the default: not written, as in files from before the option
      model.validation_fraction.reset();
      c.average_from.reset();
      c.tol.reset();
      c.target_objective.reset();
    }
    const auto path = (dir.path() / (unset ? "unset.json" : "set.json")).string();
    save_model(model, path);
    const Model loaded = load_model(path);
    const TrainConfig& r = loaded.hyperparameters;
    EXPECT_EQ(r.epochs, unset ? 0 : 25);
    EXPECT_EQ(r.steps, c.steps);
    EXPECT_EQ(loaded.validation_fraction, unset ? std::nullopt : std::optional<double>(0.25));
    EXPECT_EQ(r.learning_rate, 0.37);
    EXPECT_TRUE(r.learning_rate_auto);
    EXPECT_EQ(r.loss, Loss::kHuber);
    EXPECT_EQ(r.epsilon, 0.5);
    EXPECT_EQ(r.penalty, Penalty::kElasticNet);
    EXPECT_EQ(r.alpha, 0.02);
    EXPECT_EQ(r.l1_ratio, 0.7);
    EXPECT_EQ(r.fit_intercept, unset);
    EXPECT_EQ(r.sampling, Sampling::kEpoch);
    EXPECT_EQ(r.schedule, Schedule::kCosine);
    EXPECT_EQ(r.warmup, 12);
    EXPECT_EQ(r.momentum, 0.6);
    EXPECT_TRUE(r.nesterov);
    EXPECT_EQ(r.eval_every, 9);
    EXPECT_EQ(r.n_iter_no_change, 3);
    EXPECT_EQ(r.average_from, unset ? std::nullopt : std::optional<int64_t>(40));
    EXPECT_EQ(r.tol, unset ? std::nullopt : std::optional<double>(1e-7));
    EXPECT_EQ(r.target_objective, unset ? std::nullopt : std::optional<double>(2.5e-5));
    EXPECT_EQ(r.max_seconds, 0.0);
    const nlohmann::json saved = nlohmann::json::parse(testing::read_text(path));
    EXPECT_FALSE(saved["hyperparameters"].contains("max_seconds"));
    EXPECT_EQ(saved["hyperparameters"].contains("epochs"), !unset);
    EXPECT_EQ(saved["hyperparameters"].contains("fit_intercept"), !unset);
  }
}

// A library caller may save into a descriptor of its own (Python opens them close-on-exec): it is
// written where it stands, the file neither reopened nor replaced.
TEST(ModelFile, SavesIntoADescriptorOfTheCaller) {
  ScratchDir dir;
  const auto path = dir.path() / "own.json";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "x", 1), 1);  // the model goes after it, where the descriptor stands
  save_model(sample_model(), "/dev/fd/" + std::to_string(fd));
  ::close(fd);
  const std::string text = testing::read_text(path);
  EXPECT_EQ(text, "x" + model_json(sample_model()));
}

TEST(ModelFile, NamesEachKindOfDamage) {
  ScratchDir dir;
  const auto good = (dir.path() / "good.json").string();
  save_model(sample_model(), good);
  const std::string text = testing::read_text(good);
  const std::string d = dir.path().string() + "/";

  EXPECT_EQ(load_error(d + "none.json"),
            "cannot open model " + d + "none.json: No such file or directory");
  EXPECT_EQ(load_error(dir.path().string()),
            "cannot open model " + dir.path().string() + ": is a directory");
  EXPECT_EQ(load_error(dir.file("cut.json", text.substr(0, text.size() / 2)))
                .rfind(d + "cut.json: not a valid model file (truncated or not JSON): ", 0),
            0u);
  EXPECT_EQ(load_error(dir.file("text.json", "hello")).rfind(d + "text.json: not a valid model", 0),
            0u);
  // Binary files: named as such, or their bytes quoted as \xHH (the line stays ASCII text).
  EXPECT_EQ(load_error(dir.file("X.npy", "\x93NUMPY\x01\x00v\x00{'descr': '<f4'}")),
            d + "X.npy: a .npy array, not a model file");
  EXPECT_EQ(load_error(dir.file("b.json", "\xff\xfe\x01")),
            d + "b.json: not a valid model file (a JSON object, which begins with '{'; this file "
                "begins with '\\xFF\\xFE\\x01')");
  // What is no JSON object is refused from its first bytes, before the rest is read: a data
  // file given by mistake, or a device that never ends.
  EXPECT_EQ(load_error(dir.file("data.csv", "  a,b,y\n1,2,3\n")),
            d + "data.csv: not a valid model file (a JSON object, which begins with '{'; this "
                "file begins with 'a,b,y\\x0A1,2,3\\x0A')");
  EXPECT_EQ(
      load_error("/dev/zero"),
      "/dev/zero: not a valid model file (a JSON object, which begins with '{'; this file "
      "begins with '" +
          [] {
            std::string zeros;
            for (int i = 0; i < 16; ++i) zeros += "\\x00";
            return zeros;
          }() +
          "')");
  // A byte-order mark before the object is read past, as the parser does.
  EXPECT_EQ(load_model(dir.file("bom.json", "\xEF\xBB\xBF" + text)).weights,
            sample_model().weights);
  // A key twice in one object (an edit that added one): which counts is not defined, so it is
  // refused, at any depth. The same key in two objects is no repetition.
  const size_t bias = text.find("\"bias\"");
  ASSERT_NE(bias, std::string::npos);
  EXPECT_EQ(
      load_error(
          dir.file("repeated.json", text.substr(0, bias) + "\"bias\": 0, " + text.substr(bias))),
      d + "repeated.json: the key \"bias\" comes twice in one object (which one counts is not "
          "defined)");
  const size_t loss = text.find("\"loss\"");
  ASSERT_NE(loss, std::string::npos);
  EXPECT_EQ(load_error(dir.file(
                "deep.json", text.substr(0, loss) + "\"loss\": \"huber\", " + text.substr(loss))),
            d + "deep.json: the key \"loss\" comes twice in one object (which one counts is not "
                "defined)");
  auto json = nlohmann::json::parse(text);
  json["version"] = 7;
  EXPECT_EQ(load_error(dir.file("v7.json", json.dump())),
            d + "v7.json: model format version 7 is not supported (this linsgd reads version 1)");
  json = nlohmann::json::parse(text);
  json["weights"][1] = nullptr;  // how JSON writers spell NaN
  EXPECT_EQ(load_error(dir.file("nan.json", json.dump())),
            d + "nan.json: weights[1] is not a number");
  json = nlohmann::json::parse(text);
  json["weights"][2] = 1e300;
  EXPECT_EQ(load_error(dir.file("big.json", json.dump())),
            d + "big.json: weights[2] is not a finite float");
  json = nlohmann::json::parse(text);
  json["weights"].erase(0);
  EXPECT_EQ(load_error(dir.file("short.json", json.dump())),
            d + "short.json: 'weights' has 2 values, expected 3");
  // Integers that do not fit their field (a fuzzer's find: nlohmann's cast would be undefined).
  json = nlohmann::json::parse(text);
  json["hyperparameters"]["seed"] = 7.7e39;
  EXPECT_EQ(load_error(dir.file("seed.json", json.dump())),
            d + "seed.json: hyperparameters.seed: not an integer");
  json["hyperparameters"]["seed"] = -1;
  EXPECT_EQ(load_error(dir.file("negative.json", json.dump())),
            d + "negative.json: hyperparameters.seed: out of range");
  json = nlohmann::json::parse(text);
  json["hyperparameters"]["steps"] = 2.5;
  EXPECT_EQ(load_error(dir.file("steps.json", json.dump())),
            d + "steps.json: hyperparameters.steps: not an integer");
  json = nlohmann::json::parse(text);
  json["target_column"] = 4;  // of 3 features and the target: 0 to 3
  EXPECT_EQ(load_error(dir.file("column.json", json.dump())),
            d + "column.json: 'target_column' must be 0 to 3");
  json["target_column"] = 1;
  json["named_features"] = "yes";
  EXPECT_EQ(load_error(dir.file("named.json", json.dump())),
            d + "named.json: 'named_features' must be true or false");
  json = nlohmann::json::parse(text);
  json["feature_names"][2] = json["feature_names"][0];
  EXPECT_EQ(load_error(dir.file("twice.json", json.dump())),
            d + "twice.json: 'feature_names' holds '" +
                json["feature_names"][0].get<std::string>() + "' twice");
  json = nlohmann::json::parse(text);
  json["validation_fraction"] = 1.5;
  EXPECT_EQ(load_error(dir.file("fraction.json", json.dump())),
            d + "fraction.json: 'validation_fraction' must be a number between 0 and 1");
  json = nlohmann::json::parse(text);
  json["standardization"] = {{"mean", {0.0, 0.0, 0.0}}, {"scale", {1.0, 1e-300, 1.0}}};
  EXPECT_EQ(load_error(dir.file("scale.json", json.dump())),
            d + "scale.json: standardization scale[1] is 1e-300 (must be a positive number within "
                "float's range)");
  json = nlohmann::json::parse(text);
  json.erase("format");
  EXPECT_EQ(load_error(dir.file("other.json", json.dump())),
            d + "other.json: not a linsgd model file (no \"format\": \"linsgd-model\")");
}

// A file written before named_features and target_column: names other than x0, x1, ... came
// from the data, and the target was last.
TEST(ModelFile, ReadsFilesWithoutTheColumnFields) {
  ScratchDir dir;
  for (const bool named : {true, false}) {
    Model model = sample_model();
    if (!named) model.feature_names = {"x0", "x1", "x2"};
    auto json = nlohmann::json::parse(model_json(model));
    json.erase("named_features");
    json.erase("target_column");
    const Model loaded = load_model(dir.file("old.json", json.dump()));
    EXPECT_EQ(loaded.named_features, named);
    EXPECT_FALSE(loaded.target_column);
  }
}

TEST(Predict, StandardizesThenTakesTheDotProductInDouble) {
  const Model model = sample_model();
  Dataset data;
  data.rows = 2;
  data.features = 3;
  data.X = {1, 2, 3, -4, 5.5f, 1e6f};
  data.source = "d.csv";
  const std::vector<double> predictions = predict(model, data);
  for (int i = 0; i < 2; ++i) {
    double expected = model.bias;
    for (int j = 0; j < 3; ++j) {
      const double z = (double{data.X[i * 3 + j]} - model.standardization->mean[j]) /
                       model.standardization->scale[j];
      expected += z * model.weights[j];
    }
    EXPECT_DOUBLE_EQ(predictions[i], expected);
  }
  // Features near float's limit whose difference from the mean is beyond it (in float, -inf):
  // the prediction is still the formula's, worked in double.
  Model wide = model;
  wide.standardization = Standardization{{2.5e37f, 0.0f, 0.0f}, {1.5e38f, 1.0f, 1.0f}};
  Dataset extreme = data;
  extreme.rows = 1;
  extreme.X = {-3.3e38f, 1.0f, 2.0f};
  const double z = (double{-3.3e38f} - double{2.5e37f}) / double{1.5e38f};  // about -2.37
  EXPECT_DOUBLE_EQ(predict(wide, extreme)[0],
                   wide.bias + z * wide.weights[0] + 1.0 * wide.weights[1] + 2.0 * wide.weights[2]);
  data.features = 2;
  data.X = {1, 2};
  data.rows = 1;
  try {
    predict(model, data);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(), "d.csv has 2 feature columns but the model expects 3");
  }
}

TEST(Standardization, GivesZeroMeanUnitDeviationAndLeavesConstantColumnsFinite) {
  Dataset data;
  data.rows = 4;
  data.features = 2;
  data.X = {1000, 5, 1002, 5, 1004, 5, 1006, 5};  // offset column, constant column
  const Standardization s = fit_standardization(data);
  EXPECT_FLOAT_EQ(s.mean[0], 1003.0f);
  EXPECT_FLOAT_EQ(s.scale[0], std::sqrt(5.0f));
  EXPECT_EQ(s.scale[1], 1.0f);
  // A column whose deviation is subnormal (0 and 1e-44) is constant for float: scale 1, not a
  // divisor that sends a 1 to 2e44 (infinity in float).
  Dataset tiny = data;
  tiny.X = {0.0f, 1e-44f, 1.0f, 0.0f, 2.0f, 1e-44f, 3.0f, 0.0f};
  EXPECT_EQ(fit_standardization(tiny).scale[1], 1.0f);
  standardize(s, data);
  double sum = 0.0, square_sum = 0.0;
  for (int i = 0; i < 4; ++i) {
    sum += data.X[i * 2];
    square_sum += data.X[i * 2] * data.X[i * 2];
    EXPECT_EQ(data.X[i * 2 + 1], 0.0f);
  }
  EXPECT_NEAR(sum / 4, 0.0, 1e-6);
  EXPECT_NEAR(square_sum / 4, 1.0, 1e-6);
}

// For a model without an intercept the features are scaled, not centered (a shift of the origin
// would be an intercept): means 0, the same deviations (StandardScaler(with_mean=False)).
TEST(Standardization, WithoutCenteringScalesByTheDeviationsAlone) {
  Dataset data;
  data.rows = 4;
  data.features = 2;
  data.X = {1000, 5, 1002, 5, 1004, 5, 1006, 5};
  const Standardization s = fit_standardization(data, false);
  EXPECT_EQ(s.mean, std::vector<float>({0.0f, 0.0f}));
  EXPECT_FLOAT_EQ(s.scale[0], std::sqrt(5.0f));
  EXPECT_EQ(s.scale[1], 1.0f);
  standardize(s, data);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FLOAT_EQ(data.X[i * 2], (1000.0f + 2.0f * i) / std::sqrt(5.0f));
    EXPECT_EQ(data.X[i * 2 + 1], 5.0f);
  }
}

// Values near float's limit standardize in double: 3e38 and -3e38 about a mean of 1.7e37 are
// ordinary numbers once divided (their float difference would be infinite). Other data
// standardized by these statistics to beyond float is refused, naming the row and the feature.
TEST(Standardization, WorksNearFloatsLimitAndRefusesWhatOverflows) {
  Dataset data;
  data.rows = 4;
  data.features = 1;
  data.source = "big.csv";
  data.X = {3e38f, -3e38f, 3.4e38f, 1e-38f};
  const Standardization s = fit_standardization(data);
  standardize(s, data);
  double square_sum = 0.0;
  for (float x : data.X) {
    ASSERT_TRUE(std::isfinite(x));
    square_sum += double{x} * x;
  }
  EXPECT_NEAR(square_sum / 4, 1.0, 1e-6);
  Dataset other;
  other.rows = 2;
  other.features = 1;
  other.source = "other.csv";
  other.X = {1.0f, 2e38f};
  const Standardization narrow{{0.0f}, {1e-3f}};
  EXPECT_EQ(testing::message_of<InputError>([&] { standardize(narrow, other); }),
            "other.csv: row 1, feature 0 (counted from 0): 1.99999994e+38 standardizes to "
            "1.99999984e+41 (mean 0, scale 0.00100000005), beyond float's range");
}

Dataset numbered_rows(int64_t rows) {
  Dataset data;
  data.rows = rows;
  data.features = 1;
  data.source = "rows.csv";
  for (int64_t i = 0; i < rows; ++i) {
    data.X.push_back(static_cast<float>(i));
    data.y.push_back(static_cast<float>(-i));
  }
  return data;
}

TEST(ValidationSplit, IsSeededDisjointCompleteAndOrdered) {
  const Dataset data = numbered_rows(1000);
  const auto [train, val] = split_validation(data, 0.2, 5);
  EXPECT_EQ(val.rows, 200);
  EXPECT_EQ(train.rows, 800);
  std::vector<float> all(train.X);
  all.insert(all.end(), val.X.begin(), val.X.end());
  std::sort(all.begin(), all.end());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(all[i], static_cast<float>(i));
  EXPECT_TRUE(std::is_sorted(train.X.begin(), train.X.end()));
  EXPECT_TRUE(std::is_sorted(val.X.begin(), val.X.end()));
  for (int64_t k = 0; k < val.rows; ++k) EXPECT_EQ(val.y[k], -val.X[k]);
  EXPECT_EQ(split_validation(data, 0.2, 5).second.X, val.X);
  EXPECT_NE(split_validation(data, 0.2, 6).second.X, val.X);
  // Not the first or last 200 rows: a shuffle, spread over the whole range.
  EXPECT_LT(val.X.front(), 50.0f);
  EXPECT_GT(val.X.back(), 950.0f);
}

TEST(ValidationSplit, RefusesFractionsOutsideTheOpenIntervalAndEmptyParts) {
  const Dataset data = numbered_rows(10);
  EXPECT_THROW(split_validation(data, 0.0, 1), UsageError);
  EXPECT_THROW(split_validation(data, 1.0, 1), UsageError);
  EXPECT_THROW(split_validation(data, -0.5, 1), UsageError);
  EXPECT_THROW(split_validation(data, NAN, 1), UsageError);
  try {
    split_validation(data, 0.97, 1);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(),
                 "--val-fraction 0.97 of 10 rows holds out 10, which leaves no training rows");
  }
  try {
    split_validation(data, 0.01, 1);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(),
                 "--val-fraction 0.01 of 10 rows holds out 0, which leaves no validation rows");
  }
  EXPECT_EQ(testing::message_of<InputError>([] { split_validation(numbered_rows(1), 0.4, 1); }),
            "--val-fraction 0.4 of 1 row holds out 0, which leaves no validation rows");
  // The fraction as given, not rounded to 6 digits (which would read as 1, refused elsewhere).
  EXPECT_EQ(
      testing::message_of<InputError>([] { split_validation(numbered_rows(200), 1 - 1e-12, 1); }),
      "--val-fraction 0.999999999999 of 200 rows holds out 200, which leaves no training rows");
  // Weighted: a part whose rows all weigh 0 (here the 2 of the validation set, by every seed
  // that draws none of the 2 rows of weight) has nothing to measure on.
  Dataset weighted = numbered_rows(10);
  weighted.sample_weights.assign(10, 0.0f);
  weighted.sample_weights[0] = weighted.sample_weights[1] = 1.0f;
  int refused = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    try {
      const auto [train, val] = split_validation(weighted, 0.2, seed);
      EXPECT_GT(*std::max_element(val.sample_weights.begin(), val.sample_weights.end()), 0.0f);
    } catch (const InputError& error) {
      ++refused;
      EXPECT_EQ(std::string(error.what()),
                "--val-fraction 0.2: the 2 validation rows that --seed " + std::to_string(seed) +
                    " drew all have sample weight 0; use another --seed or --val-fraction");
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_LT(refused, 20);
}

TEST(RegressionMetrics, MatchHandComputedValues) {
  const RegressionMetrics m = regression_metrics({1.0, 2.0, 5.0}, {1.0f, 3.0f, 3.0f});
  // errors 0, -1, 2: MSE 5/3, MAE 1; targets mean 7/3, total sum of squares 8/3.
  EXPECT_EQ(m.rows, 3);
  EXPECT_DOUBLE_EQ(m.mse, 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt(5.0 / 3.0));
  EXPECT_DOUBLE_EQ(m.mae, 1.0);
  EXPECT_DOUBLE_EQ(m.r2, 1.0 - 5.0 / (8.0 / 3.0));
  EXPECT_EQ(regression_metrics({2.0, 2.0}, {2.0f, 2.0f}).r2, 1.0);
  EXPECT_EQ(regression_metrics({1.0, 2.0}, {2.0f, 2.0f}).r2, 0.0);
}

// Integer sample weights count a row that many times (0: not at all), as scikit-learn's
// sample_weight does: the metrics of the rows repeated.
TEST(RegressionMetrics, WeightsCountRowsAsRepeats) {
  const RegressionMetrics weighted =
      regression_metrics({1.0, 2.0, 5.0, 7.0}, {1.0f, 3.0f, 3.0f, 4.0f}, {2.0f, 1.0f, 3.0f, 0.0f});
  const RegressionMetrics repeated =
      regression_metrics({1.0, 1.0, 2.0, 5.0, 5.0, 5.0}, {1.0f, 1.0f, 3.0f, 3.0f, 3.0f, 3.0f});
  EXPECT_EQ(weighted.rows, 4);
  EXPECT_DOUBLE_EQ(weighted.mse, repeated.mse);
  EXPECT_DOUBLE_EQ(weighted.rmse, repeated.rmse);
  EXPECT_DOUBLE_EQ(weighted.mae, repeated.mae);
  EXPECT_DOUBLE_EQ(weighted.r2, repeated.r2);
  EXPECT_THROW(regression_metrics({1.0}, {1.0f}, {0.0f}), Error);
}

// A NaN or infinite value, or a negative weight, is refused with its row: before, a NaN target
// gave an R^2 of 0 and NaN errors without a word.
TEST(RegressionMetrics, RefuseRowsNoMetricCanUse) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(testing::message_of<InputError>([&] {
              regression_metrics({1.0, 2.0, 3.0}, {1.0f, nan, 3.0f});
            }),
            "regression_metrics: row 1 (counted from 0): the target is NaN (must be finite)");
  EXPECT_EQ(testing::message_of<InputError>([&] {
              regression_metrics({1.0, 2.0, double{inf}}, {1.0f, 2.0f, 3.0f});
            }),
            "regression_metrics: row 2 (counted from 0): the prediction is inf (must be finite)");
  EXPECT_EQ(testing::message_of<InputError>([&] {
              regression_metrics({1.0, 2.0}, {1.0f, 2.0f}, {1.0f, -1.0f});
            }),
            "regression_metrics: row 1 (counted from 0): the sample weight is -1.000000 (must be "
            "finite and 0 or more)");
  EXPECT_EQ(testing::message_of<InputError>([&] {
              regression_metrics({1.0, 2.0}, {1.0f, 2.0f}, {nan, 1.0f});
            }),
            "regression_metrics: row 0 (counted from 0): the sample weight is NaN (must be finite "
            "and 0 or more)");
}

}  // namespace
}  // namespace linsgd
