// End-to-end tests of what linsgd reads, run through the binary: standard input, pipes, FIFOs
// and process substitution; formats known by content (gzip, .npy under any name, zip refused);
// columns matched to a model by name; a signal while reading ends the command at once.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "cli_runner.hpp"
#include "npy_writer.hpp"

namespace linsgd {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_cli;
using testing::ScratchDir;
using testing::shell_quoted;

// y = 2a - b + 1 on 60 rows: a and b each in 0..9.
std::string linear_csv(const std::string& header) {
  std::string csv = header;
  for (int i = 0; i < 60; ++i) {
    const int a = i % 10, b = (i * 7) % 10;
    csv += std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(2 * a - b + 1) + "\n";
  }
  return csv;
}

const std::string kTrain = "train --device cpu --lr 0.01 --steps 300 --quiet ";

// Training on `path` (`options` before it) is refused, exit 2, with the one line
// "linsgd: error: PATH: PROBLEM".
void expect_file_refused(const std::string& options, const std::string& path,
                         const std::string& problem, const ScratchDir& scratch) {
  const auto run = run_cli(kTrain + options + "--data " + shell_quoted(path), scratch);
  EXPECT_EQ(run.exit_code, 2) << path;
  EXPECT_EQ(run.err, "linsgd: error: " + path + ": " + problem + "\n");
}

// Runs a bash script; returns its exit code.
int run_bash(const ScratchDir& scratch, const std::string& script) {
  const std::string path = scratch.file("script.sh", script);
  return testing::exit_code_of(std::system(("bash " + shell_quoted(path)).c_str()));
}

TEST(InputRules, StandardInputPipesFifosAndProcessSubstitutionAreRead) {
  ScratchDir scratch;
  const std::string data = scratch.file("d.csv", linear_csv("a,b,y\n"));
  const fs::path reference = scratch.path() / "reference.json";
  ASSERT_EQ(
      run_cli(kTrain + "--data " + shell_quoted(data) + " --model-out " + shell_quoted(reference),
              scratch)
          .exit_code,
      0);
  const std::string cli = shell_quoted(LINSGD_CLI_PATH) + " " + kTrain;
  const auto model = [&](const std::string& name) { return shell_quoted(scratch.path() / name); };
  // The same bytes through each kind of stream: the same model (the source's name is not in it).
  ASSERT_EQ(run_bash(scratch, cli + "--data - --model-out " + model("stdin.json") + " < " +
                                  shell_quoted(data) + "\n" + "cat " + shell_quoted(data) + " | " +
                                  cli + "--data /dev/stdin --model-out " + model("pipe.json") +
                                  "\n" + cli + "--data <(cat " + shell_quoted(data) +
                                  ") --model-out " + model("substituted.json") + "\n"),
            0);
  const fs::path fifo = scratch.path() / "d.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { testing::write_text(fifo, read_text(data)); });
  const auto from_fifo = run_cli(
      kTrain + "--data " + shell_quoted(fifo) + " --model-out " + model("fifo.json"), scratch);
  writer.join();
  EXPECT_EQ(from_fifo.exit_code, 0) << from_fifo.err;
  for (const char* name : {"stdin.json", "pipe.json", "substituted.json", "fifo.json"}) {
    EXPECT_EQ(read_text(scratch.path() / name), read_text(reference)) << name;
  }
  // Standard input is read once: two inputs may not both name it.
  const auto twice = run_cli(kTrain + "--data - --val-data -", scratch);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_EQ(twice.err,
            "linsgd: error: --data - and --val-data -: standard input can be read once; name a "
            "file for one of them\n");
}

TEST(InputRules, GzipAndNpyAreKnownByContentAndZipIsRefused) {
  ScratchDir scratch;
  const std::string data = scratch.file("d.csv", linear_csv("a,b,y\n"));
  ASSERT_EQ(std::system(("gzip -k " + shell_quoted(data)).c_str()), 0);
  const fs::path plain = scratch.path() / "plain.json", packed = scratch.path() / "packed.json";
  ASSERT_EQ(run_cli(kTrain + "--data " + shell_quoted(data) + " --model-out " + shell_quoted(plain),
                    scratch)
                .exit_code,
            0);
  const auto gzip = run_cli(
      kTrain + "--data " + shell_quoted(data + ".gz") + " --model-out " + shell_quoted(packed),
      scratch);
  ASSERT_EQ(gzip.exit_code, 0) << gzip.err;
  EXPECT_EQ(read_text(packed), read_text(plain));

  const std::string npy = scratch.file(
      "X.bin", testing::npy_bytes({"<f4", false, {4, 3}}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1}));
  const auto from_npy = run_cli(kTrain + "--data " + shell_quoted(npy), scratch);
  EXPECT_EQ(from_npy.exit_code, 0) << from_npy.err;

  const std::string zip = scratch.file("arrays.npz", std::string("PK\x03\x04") + " and the rest");
  const auto refused = run_cli(kTrain + "--data " + shell_quoted(zip), scratch);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "linsgd: error: " + zip +
                             ": a zip archive (an .npz?); linsgd reads .npy and CSV: save the "
                             "arrays with numpy.save(\"X.npy\", X) and numpy.save(\"y.npy\", y), "
                             "and pass --data X.npy --labels y.npy\n");
}

TEST(InputRules, ColumnsAreMatchedToTheModelByName) {
  ScratchDir scratch;
  const std::string data = scratch.file("d.csv", linear_csv("a,b,y\n"));
  const fs::path model = scratch.path() / "m.json";
  ASSERT_EQ(run_cli(kTrain + "--data " + shell_quoted(data) + " --model-out " + shell_quoted(model),
                    scratch)
                .exit_code,
            0);
  // The same rows with the columns shuffled and an identifier added: the same metrics and
  // predictions, and one line naming the ignored column.
  std::string shuffled = "id,y,b,a\n";
  std::string features_only = "b,a\n";
  std::string indexed = ",b,a\n";  // pandas' to_csv with its index
  for (int i = 0; i < 60; ++i) {
    const int a = i % 10, b = (i * 7) % 10;
    shuffled += "row" + std::to_string(i) + "," + std::to_string(2 * a - b + 1) + "," +
                std::to_string(b) + "," + std::to_string(a) + "\n";
    features_only += std::to_string(b) + "," + std::to_string(a) + "\n";
    indexed += std::to_string(i) + "," + std::to_string(b) + "," + std::to_string(a) + "\n";
  }
  const std::string other = scratch.file("shuffled.csv", shuffled);
  const std::string m = " --model " + shell_quoted(model);
  const auto original = run_cli("evaluate --json" + m + " --data " + shell_quoted(data), scratch);
  const auto reordered = run_cli("evaluate --json" + m + " --data " + shell_quoted(other), scratch);
  ASSERT_EQ(reordered.exit_code, 0) << reordered.err;
  EXPECT_EQ(reordered.out, original.out);
  EXPECT_EQ(reordered.err,
            "linsgd: " + other + ": ignoring the columns the model does not use: id\n");
  const auto predicted = run_cli("predict" + m + " --data " + shell_quoted(data), scratch);
  const auto from_features = run_cli(
      "predict" + m + " --data " + shell_quoted(scratch.file("f.csv", features_only)), scratch);
  EXPECT_EQ(from_features.exit_code, 0) << from_features.err;
  EXPECT_EQ(from_features.out, predicted.out);
  // Its unnamed column, as any the model does not name, is left out (predict names no target).
  const auto from_indexed =
      run_cli("predict" + m + " --data " + shell_quoted(scratch.file("i.csv", indexed)), scratch);
  EXPECT_EQ(from_indexed.exit_code, 0) << from_indexed.err;
  EXPECT_EQ(from_indexed.out, predicted.out);
  // A file that lacks a feature (here: a target where the feature b was) is refused by name,
  // not read by position.
  const std::string wrong = scratch.file("wrong.csv", "a,y\n1,2\n");
  const auto refused = run_cli("predict" + m + " --data " + shell_quoted(wrong), scratch);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "linsgd: error: " + wrong +
                             ": the header has no column 'b' (the model's features, matched by "
                             "name: a, b)\n");
}

// Data is read as float32 (7 significant digits): columns that vary by less than 1e-4 of their
// size (here a feature and the target around 1e6, by 2 or so) are named in a note, by train,
// evaluate and predict; a file of ordinary columns gets none.
TEST(InputRules, ColumnsThatFloat32KeepsLittleOfAreNamed) {
  ScratchDir scratch;
  std::string offset = "t,z,y\n", ordinary = "t,z,y\n";
  for (int i = 0; i < 50; ++i) {
    const double t = 1e6 + std::sin(i), z = std::cos(3.0 * i);
    offset += std::to_string(t) + "," + std::to_string(z) + "," + std::to_string(3 * t + z) + "\n";
    ordinary += std::to_string(t - 1e6) + "," + std::to_string(z) + "," +
                std::to_string(3 * (t - 1e6) + z) + "\n";
  }
  const std::string data = scratch.file("offset.csv", offset);
  const std::string note = "linsgd: note: " + data +
                           ": 't', 'y' (the target) vary by less than 1e-4 of their size, and "
                           "data is read as float32 (7 significant digits): subtract an offset "
                           "(their mean, say) to keep their variation\n";
  const std::string model = (scratch.path() / "m.json").string();
  const auto trained = run_cli("train --device cpu --solver exact --data " + shell_quoted(data) +
                                   " --model-out " + shell_quoted(model),
                               scratch);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_NE(trained.err.find(note), std::string::npos) << trained.err;
  const auto evaluated =
      run_cli("evaluate --model " + shell_quoted(model) + " --data " + shell_quoted(data), scratch);
  EXPECT_EQ(evaluated.err, note);
  const auto predicted =
      run_cli("predict --model " + shell_quoted(model) + " --data " + shell_quoted(data), scratch);
  EXPECT_EQ(predicted.err,  // (predict reads no target)
            "linsgd: note: " + data +
                ": 't' varies by less than 1e-4 of its size, and data is read as float32 (7 "
                "significant digits): subtract an offset (its mean, say) to keep its variation\n");
  const auto plain = run_cli("train --device cpu --solver exact --data " +
                                 shell_quoted(scratch.file("ordinary.csv", ordinary)),
                             scratch);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err.find("linsgd: note:"), std::string::npos) << plain.err;
}

// A feature that is the same in every training row leaves its weight to the starting weights
// (SGD moves it only along with the bias, or not at all when it is 0): train names such features
// in a note, with their value; evaluate and predict, which fit nothing, do not.
TEST(InputRules, FeaturesConstantInTrainingAreNamed) {
  ScratchDir scratch;
  std::string two = "a,k,z,y\n", one = "a,z,y\n";
  for (int i = 0; i < 40; ++i) {
    const std::string a = std::to_string(std::sin(i)), y = std::to_string(2 * std::sin(i) + 1);
    two += a + ",2.5,0," + y + "\n";
    one += a + ",0," + y + "\n";
  }
  // What training on `path` (SGD, 50 steps; `options` before --data) says on stderr.
  const auto training_err = [&](const std::string& path, const std::string& options) {
    const auto trained = run_cli(
        "train --device cpu --steps 50 " + options + "--data " + shell_quoted(path), scratch);
    EXPECT_EQ(trained.exit_code, 0) << trained.err;
    return trained.err;
  };
  const std::string data = scratch.file("two.csv", two);
  const std::string model = (scratch.path() / "m.json").string();
  const std::string trained = training_err(data, "--model-out " + shell_quoted(model) + " ");
  EXPECT_NE(trained.find("linsgd: note: " + data +
                         ": 'k' (2.5), 'z' (0) are the same in every training row, so the data "
                         "do not determine their weights (they depend on the starting "
                         "weights): drop those columns\n"),
            std::string::npos)
      << trained;
  const auto evaluated =
      run_cli("evaluate --model " + shell_quoted(model) + " --data " + shell_quoted(data), scratch);
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_EQ(evaluated.err, "");
  const std::string single = scratch.file("one.csv", one);
  const std::string trained_one = training_err(single, "");
  EXPECT_NE(trained_one.find("linsgd: note: " + single +
                             ": 'z' (0) is the same in every training row, so the data do not "
                             "determine its weight (it depends on the starting weights): drop "
                             "the column\n"),
            std::string::npos)
      << trained_one;
  // A penalty takes such a weight to 0 (the bias is not penalized): no note.
  const std::string penalized = training_err(single, "--penalty l2 ");
  EXPECT_EQ(penalized.find("the same in every training row"), std::string::npos) << penalized;
  // Without an intercept a constant of 2.5 plays its part (the data determine its weight); one
  // of 0 is still named.
  const std::string through_origin = training_err(data, "--no-intercept ");
  EXPECT_NE(through_origin.find("linsgd: note: " + data +
                                ": 'z' (0) is the same in every training row, so the data do not "
                                "determine its weight"),
            std::string::npos)
      << through_origin;
}

TEST(InputRules, ByteOrderMarksMixedFirstRowsAndDuplicateOrEmptyNames) {
  ScratchDir scratch;
  const std::string bom = scratch.file("bom.csv", "\xEF\xBB\xBF" + linear_csv("a,b,y\n"));
  const auto named = run_cli(kTrain + "--target a --data " + shell_quoted(bom), scratch);
  EXPECT_EQ(named.exit_code, 0) << named.err;
  const std::string mixed = scratch.file("mixed.csv", "1.5,NA,2.0\n" + linear_csv(""));
  expect_file_refused("", mixed,
                      "line 1 mixes numbers and other cells ('1.5', 'NA', '2.0'): say whether it "
                      "is a header with --header or --no-header",
                      scratch);
  EXPECT_EQ(run_cli(kTrain + "--header --data " + shell_quoted(mixed), scratch).exit_code, 0);
  expect_file_refused("", scratch.file("twice.csv", "a,a,y\n1,2,3\n"),
                      "duplicate column names in the header: 'a'", scratch);
  expect_file_refused("", scratch.file("unnamed.csv", "a,,y\n1,2,3\n4,5,6\n"),
                      "line 1, column 2: the header names no column there", scratch);
  expect_file_refused("", scratch.file("indexed.csv", ",a,b,y\n0,1,2,3\n1,4,5,6\n"),
                      "line 1, column 1: the header names no column there (a pandas index "
                      "written by to_csv? drop it, or name it)",
                      scratch);
}

TEST(InputRules, TrailingDelimitersAndStructuredDtypesAreNamed) {
  ScratchDir scratch;
  expect_file_refused("", scratch.file("t.csv", "a,b,y,\n1,2,3,\n"),
                      "line 1, column 4: the header names no column there (does the line end "
                      "with the delimiter?)",
                      scratch);
  expect_file_refused("--no-header ", scratch.file("bare.csv", "1,2,3,\n4,5,6,\n"),
                      "line 1, column 4: empty cell (the line ends with the delimiter ',')",
                      scratch);
  // An empty cell in quotes is no trailing delimiter.
  expect_file_refused("", scratch.file("q.csv", "a,b,y\n1,2,3\n4,5,\"\"\n"),
                      "line 3, column 3: empty cell", scratch);
  expect_file_refused("", scratch.file("m.csv", "a,b,y\n1,2,3\n4,5,6,\n"),
                      "line 3: expected 3 fields, found 4 (the line ends with the delimiter ',')",
                      scratch);
  // A line of blanks is no empty line (which is skipped): named as such.
  expect_file_refused("", scratch.file("b.csv", "a,b,y\n1,2,3\n \t \n4,5,6\n"),
                      "line 3: expected 3 fields, found 1 (the line holds nothing but spaces or "
                      "tabs)",
                      scratch);
  testing::NpySpec structured{"[('a', '<f4'), ('b', '<f8')]", false, {2}};
  structured.quoted_descr = false;
  const std::string npy = scratch.file("s.npy", testing::npy_bytes(structured, {}));
  expect_file_refused("", npy,
                      "unsupported dtype [('a', '<f4'), ('b', '<f8')] (linsgd reads "
                      "little-endian float32 '<f4' or float64 '<f8')",
                      scratch);
}

TEST(InputRules, ASignalWhileReadingEndsTheCommandAtOnce) {
  ScratchDir scratch;
  const fs::path fifo = scratch.path() / "never.fifo";  // no writer: the open blocks
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  testing::CliProcess process(kTrain + "--data " + shell_quoted(fifo), scratch);
  ASSERT_TRUE(process.started());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  process.signal(SIGINT);
  const auto run = process.wait();
  EXPECT_EQ(run.exit_code, 130);
  EXPECT_EQ(run.err,
            "linsgd: SIGINT: stopped at once (outside the training steps, or a second signal); "
            "the files being written are removed\n");
}

}  // namespace
}  // namespace linsgd
