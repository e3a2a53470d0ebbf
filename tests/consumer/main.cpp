// Trains through linsgd's public API alone on a small in-memory dataset, y = 1.5 x0 - 2 x1 +
// 0.25 x2 + 0.5 + noise, and checks the fit against those weights; then saves, reloads and
// scores the model. Exits 0 when every check holds, 1 otherwise (saying which).
#include <linsgd/dataset.hpp>
#include <linsgd/errors.hpp>
#include <linsgd/metrics.hpp>
#include <linsgd/model.hpp>
#include <linsgd/trainer.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

int main(int argc, char** argv) {
  const std::string model_path = argc > 1 ? argv[1] : "consumer-model.json";
  const double true_weights[] = {1.5, -2.0, 0.25};
  const double true_bias = 0.5;

  linsgd::Dataset data;
  data.rows = 2000;
  data.features = 3;
  data.source = "in-memory data";
  std::mt19937 engine(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int64_t i = 0; i < data.rows; ++i) {
    double target = true_bias + 0.01 * normal(engine);
    for (int64_t j = 0; j < data.features; ++j) {
      const float x = normal(engine);
      data.X.push_back(x);
      target += true_weights[j] * x;
    }
    data.y.push_back(static_cast<float>(target));
  }

  linsgd::TrainConfig config;  // device auto: the GPU when there is one
  config.batch_size = 32;
  config.learning_rate = 0.05;
  config.steps = 3000;
  config.seed = 3;
  int failures = 0;
  const auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      std::fprintf(stderr, "consumer: FAILED: %s\n", what.c_str());
      ++failures;
    }
  };
  try {
    const linsgd::TrainResult result = linsgd::train_on_data(config, data);
    for (int j = 0; j < 3; ++j) {
      check(std::abs(result.weights[j] - true_weights[j]) < 0.01,
            "weight " + std::to_string(j) + " = " + std::to_string(result.weights[j]));
    }
    check(std::abs(result.bias - true_bias) < 0.01, "bias = " + std::to_string(result.bias));

    const linsgd::Model model = linsgd::model_from_run(result, {"a", "b", "c"}, "y", {});
    linsgd::save_model(model, model_path);
    const linsgd::Model loaded = linsgd::load_model(model_path);
    check(loaded.weights == model.weights && loaded.bias == model.bias, "model file round trip");
    const linsgd::RegressionMetrics metrics =
        linsgd::regression_metrics(linsgd::predict(loaded, data), data.y);
    check(metrics.r2 > 0.9999, "R2 = " + std::to_string(metrics.r2));
    std::printf("consumer: trained on %s, R2 %.6f\n", result.device.c_str(), metrics.r2);
  } catch (const linsgd::Error& error) {
    std::fprintf(stderr, "consumer: linsgd error: %s\n", error.what());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
