// Seeded random damage to valid inputs (CSV, .npy, model files): every reader must either
// succeed or throw InputError/UsageError with a message; never crash, hang, or throw anything
// else. A cheap, deterministic stand-in for a fuzzer, run with every test suite.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "cli_runner.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/model.hpp"
#include "npy_writer.hpp"

namespace linsgd {
namespace {

using testing::ScratchDir;

// Flips, inserts, deletes or truncates a few bytes of `text`.
std::string damaged(const std::string& text, std::mt19937& engine) {
  std::string result = text;
  const std::string alphabet = "0123456789.,;\"'\r\n -+eEnaNIfx{}[]:\x93\x01";
  const int edits = 1 + static_cast<int>(engine() % 4);
  for (int e = 0; e < edits && !result.empty(); ++e) {
    const size_t at = engine() % result.size();
    switch (engine() % 4) {
      case 0:
        result[at] = alphabet[engine() % alphabet.size()];
        break;
      case 1:
        result.insert(at, 1, alphabet[engine() % alphabet.size()]);
        break;
      case 2:
        result.erase(at, 1);
        break;
      default:
        result.resize(at);
        break;
    }
  }
  return result;
}

// Runs `read` on `count` damaged variants of `original`; counts how many were refused.
template <class Read>
int survive_damage(const ScratchDir& dir, const std::string& name, const std::string& original,
                   int count, Read&& read) {
  std::mt19937 engine(2024);
  int refused = 0;
  for (int i = 0; i < count; ++i) {
    const std::string path = dir.file(name, damaged(original, engine));
    try {
      read(path);
    } catch (const InputError& error) {
      EXPECT_GT(std::string(error.what()).size(), 10u);
      ++refused;
    } catch (const UsageError& error) {
      EXPECT_GT(std::string(error.what()).size(), 10u);
      ++refused;
    }
  }
  return refused;
}

TEST(MalformedInputs, DamagedCsvIsReadOrRefused) {
  ScratchDir dir;
  const std::string csv = "a,\"b, quoted\",y\n1.5,2,3\n-4e-1,\"5\",6\r\n7,8,9\n";
  const int refused = survive_damage(dir, "d.csv", csv, 3000, [](const std::string& path) {
    const Dataset data = read_dataset(path, {});
    EXPECT_EQ(data.X.size(), static_cast<size_t>(data.rows * data.features));
    EXPECT_EQ(data.y.size(), static_cast<size_t>(data.rows));
  });
  EXPECT_GT(refused, 300) << "the damage should break most files";
}

TEST(MalformedInputs, DamagedNpyIsReadOrRefused) {
  ScratchDir dir;
  const std::string npy = testing::npy_bytes({"<f8", false, {3, 2}}, {1, 2, 3, 4, 5, 6});
  const int refused = survive_damage(dir, "d.npy", npy, 3000, [](const std::string& path) {
    const Dataset data = read_dataset(path, {});
    EXPECT_EQ(data.X.size(), static_cast<size_t>(data.rows * data.features));
  });
  EXPECT_GT(refused, 300);
}

TEST(MalformedInputs, DamagedModelFilesAreLoadedOrRefused) {
  ScratchDir dir;
  Model model;
  model.feature_names = {"a", "b"};
  model.target_name = "y";
  model.weights = {0.5f, -1.25f};
  model.bias = 3.0f;
  model.standardization = Standardization{{1.0f, 2.0f}, {0.5f, 4.0f}};
  const auto path = (dir.path() / "m.json").string();
  save_model(model, path);
  const int refused = survive_damage(dir, "d.json", testing::read_text(path), 2000,
                                     [](const std::string& damaged_path) {
                                       const Model loaded = load_model(damaged_path);
                                       EXPECT_EQ(loaded.weights.size(), 2u);
                                       EXPECT_EQ(loaded.feature_names.size(), 2u);
                                     });
  EXPECT_GT(refused, 200);
}

}  // namespace
}  // namespace linsgd
