// The training report: decimation, the report data's round trip through the metrics JSON and
// the loss CSV, and PNGs rendered for a synthetic and a real-data run (valid, 1800 x 560, not
// blank; skipped, saying why, without gnuplot). Without gnuplot, training still succeeds and
// writes the data files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "cli_runner.hpp"
#include "png_reader.hpp"
#include "report/gnuplot_report.hpp"
#include "report/report_data.hpp"

namespace linsgd {
namespace {

using testing::run_cli;
using testing::ScratchDir;

bool gnuplot_installed() {
  return std::system("command -v gnuplot > /dev/null 2>&1") == 0;
}

const std::string kDiabetes = std::string(LINSGD_TEST_DATA_DIR) + "/diabetes.csv";

void expect_report_png(const std::filesystem::path& path) {
  testing::Image image;
  ASSERT_TRUE(testing::read_png(path.string(), image)) << path << " is not a valid PNG";
  EXPECT_EQ(image.width, kReportWidth);
  EXPECT_EQ(image.height, kReportHeight);
  // Brightness variance, measured with gnuplot 5.4 at this size: a figure with only its title
  // ~57, three empty axes ~650, the reports drawn here 1500-1900. So 1000 means data was drawn.
  EXPECT_GT(testing::brightness_variance(image), 1000.0);
}

TEST(Decimation, KeepsAtMostTheLimitAndAlwaysTheLast) {
  EXPECT_EQ(decimated_indices(5, 10), (std::vector<size_t>{0, 1, 2, 3, 4}));
  const auto many = decimated_indices(10001, 4000);
  EXPECT_LE(many.size(), 4000u);
  EXPECT_GT(many.size(), 3000u);
  EXPECT_EQ(many.front(), 0u);
  EXPECT_EQ(many.back(), 10000u);
  EXPECT_TRUE(std::is_sorted(many.begin(), many.end()));
  EXPECT_TRUE(decimated_indices(0, 4).empty());
  EXPECT_EQ(decimated_indices(9, 3).back(), 8u);
  EXPECT_LE(decimated_indices(9, 3).size(), 3u);
}

// Text from the files (a title, the scatter's subject, a data file's name in the title) stays
// inside its quoted string: a line break in it would end gnuplot's command, and what followed
// would run, `system` included.
TEST(Report, TextFromTheFilesCannotBecomeGnuplotCommands) {
  ReportData report;
  report.synthetic = false;
  report.loss_steps = {0, 1};
  report.losses = {2.0f, 1.0f};
  report.scatter_x = report.scatter_y = report.residuals = {0.5f, 1.5f};
  const std::string attack = "a'\nsystem \"touch pwned\"\r\nset title 'b";
  report.title = attack;
  report.scatter_subject = attack;
  const std::string script = gnuplot_script(report, "out.png");
  EXPECT_EQ(script.find("\nsystem"), std::string::npos) << script;
  EXPECT_EQ(script.find('\r'), std::string::npos);
  // (A quote becomes U+2019: gnuplot 5.4 reads a doubled quote only after another character.)
  EXPECT_NE(script.find("title 'a\u2019 system \"touch pwned\"  set title \u2019b'"),
            std::string::npos)
      << script;
  // The PNG's path never begins with '|', which gnuplot's `set output` reads as a command.
  EXPECT_NE(gnuplot_script(report, "|touch pwned;cat>x.png").find("set output './|touch"),
            std::string::npos);
  if (!gnuplot_installed()) return;
  // And through `linsgd plot`: the figure is drawn, nothing else runs.
  ScratchDir dir;
  nlohmann::ordered_json json;
  json["report"] = report_json(report);
  const std::string target = (dir.path() / "pwned").string();
  json["report"]["title"] = "x'\nsystem 'touch " + target + "'\nset title '";
  const std::string metrics = dir.file("m.json", json.dump());
  const std::string loss = dir.file("l.csv", "step,batch_loss\n1,2\n2,1\n");
  const auto plot = run_cli("plot --metrics '" + metrics + "' --loss '" + loss + "' -o '" +
                                (dir.path() / "p.png").string() + "'",
                            dir);
  EXPECT_EQ(plot.exit_code, 0) << plot.err;
  EXPECT_FALSE(std::filesystem::exists(target)) << plot.err;
}

// A run whose every batch loss is 0 (an epsilon-insensitive loss within its epsilon) is drawn on
// a linear scale: a log scale has no place for 0, and gnuplot drew nothing at all.
TEST(Report, LossesOfZeroAreDrawnOnALinearScale) {
  ReportData report;
  report.loss_steps = {1, 2, 3};
  report.losses = {0.0f, 0.0f, 0.0f};
  report.scatter_x = report.scatter_y = {0.5f, 1.5f};
  EXPECT_EQ(gnuplot_script(report, "out.png").find("\nset logscale y"), std::string::npos);
  ReportData positive = report;
  positive.losses = {3.0f, 2.0f, 1.0f};
  positive.final_loss = 1.0f;
  EXPECT_NE(gnuplot_script(positive, "out.png").find("\nset logscale y"), std::string::npos);
  if (!gnuplot_installed()) return;
  std::string problem;
  EXPECT_TRUE(render_png(report, &problem).has_value()) << problem;
}

// The residuals' histogram of many rows counts an even sample of them, and its axis says so.
TEST(Report, AResidualHistogramOfASampleSaysSo) {
  ReportData report;
  report.synthetic = false;
  report.loss_steps = {1, 2};
  report.losses = {2.0f, 1.0f};
  report.scatter_x = report.scatter_y = {0.5f, 1.5f};
  const std::vector<float> targets(50000, 1.0f);
  const std::vector<double> predictions(50000, 1.5);
  TrainResult result;
  const ReportData many =
      real_data_report(result, LossCurve(0, kMaxPlotPoints), predictions, targets, "rows");
  ASSERT_EQ(many.residuals.size(), 12501u);  // every 4th row, and the last
  EXPECT_NE(gnuplot_script(many, "out.png")
                .find("set ylabel 'rows (an even sample: 12501 of "
                      "50000)'"),
            std::string::npos);
  // Written into the metrics' report, and read back as linsgd plot reads it.
  ScratchDir dir;
  nlohmann::ordered_json metrics;
  metrics["report"] = report_json(many);
  metrics["steps_run"] = 2;
  EXPECT_EQ(metrics["report"]["residual_rows"], 50000);
  const ReportData read = report_from_files(dir.file("m.json", metrics.dump()),
                                            dir.file("l.csv", "step,batch_loss\n1,2\n2,1\n"));
  EXPECT_EQ(read.residual_rows, 50000);
  EXPECT_EQ(read.residuals, many.residuals);
  report.residuals = {0.5f, -0.5f};
  EXPECT_NE(gnuplot_script(report, "out.png").find("set ylabel 'rows'\n"), std::string::npos);
}

TEST(Report, SyntheticRunRendersThePostsThreePanels) {
  if (!gnuplot_installed())
    GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  ScratchDir dir;
  const auto png = dir.path() / "report.png";
  const auto run = run_cli(
      "train --device cpu --rows 300 --features 40 --steps 500 --plot '" + png.string() + "'", dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;
  expect_report_png(png);
  // Its data beside it, and `linsgd plot` redraws the same figure from those files.
  const auto metrics =
      nlohmann::json::parse(testing::read_text(dir.path() / "report.metrics.json"));
  EXPECT_EQ(metrics["report"]["kind"], "synthetic");
  EXPECT_EQ(metrics["report"]["scatter_x"].size(), 40u);
  const auto again = dir.path() / "again.png";
  const auto plot =
      run_cli("plot --metrics '" + (dir.path() / "report.metrics.json").string() + "' --loss '" +
                  (dir.path() / "report.loss.csv").string() + "' -o '" + again.string() + "'",
              dir);
  ASSERT_EQ(plot.exit_code, 0) << plot.err;
  expect_report_png(again);
}

TEST(Report, RealDataRunRendersPredictionsAndResiduals) {
  if (!gnuplot_installed())
    GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  ScratchDir dir;
  const auto png = dir.path() / "diabetes.png";
  const auto metrics_path = dir.path() / "m.json";
  const auto run =
      run_cli("train --device cpu --standardize --val-fraction 0.2 --data '" + kDiabetes +
                  "' --metrics-out '" + metrics_path.string() + "' --plot '" + png.string() + "'",
              dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_report_png(png);
  const auto metrics = nlohmann::json::parse(testing::read_text(metrics_path));
  EXPECT_EQ(metrics["report"]["kind"], "real");
  EXPECT_EQ(metrics["report"]["scatter_subject"], "validation rows");
  EXPECT_EQ(metrics["report"]["residuals"].size(), 88u);  // round(0.2 * 442) held out
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "diabetes.loss.csv"));
}

TEST(Report, WithoutGnuplotTrainingSucceedsAndWritesTheData) {
  ScratchDir dir;
  const auto png = dir.path() / "report.png";
  const auto run =
      run_cli("train --device cpu --rows 100 --features 5 --steps 50 --plot '" + png.string() + "'",
              dir, "PATH=/nonexistent");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.rfind("linsgd: warning: gnuplot not found; install gnuplot to draw reports "
                          "(Debian: apt-get install gnuplot-nox); the report data is in ",
                          0),
            0u)
      << run.err;
  EXPECT_EQ(run.err.find('\n'), run.err.size() - 1);
  EXPECT_FALSE(std::filesystem::exists(png));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "report.metrics.json"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "report.loss.csv"));
  // `linsgd plot` has nothing to fall back on: there it is an error.
  const auto plot =
      run_cli("plot --metrics '" + (dir.path() / "report.metrics.json").string() + "' --loss '" +
                  (dir.path() / "report.loss.csv").string() + "' -o '" + png.string() + "'",
              dir, "PATH=/nonexistent");
  EXPECT_EQ(plot.exit_code, 1);
  EXPECT_EQ(plot.err.rfind("linsgd: error: gnuplot not found", 0), 0u) << plot.err;
  // A PNG of an earlier run left where this one's would go: the warning says whose it is.
  testing::write_text(png, "an earlier report");
  const auto again =
      run_cli("train --device cpu --rows 100 --features 5 --steps 50 --plot '" + png.string() + "'",
              dir, "PATH=/nonexistent");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("; the PNG at --plot " + png.string() +
                           " is an earlier run's, left as it was\n"),
            std::string::npos)
      << again.err;
  // A loss file of other columns is named for what it lacks (before gnuplot is looked for).
  const auto other = dir.file("other.csv", "a,b,c\n1,2,3\n");
  const auto wrong = run_cli("plot --metrics '" + (dir.path() / "report.metrics.json").string() +
                                 "' --loss '" + other + "' -o '" + png.string() + "'",
                             dir, "PATH=/nonexistent");
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_EQ(wrong.err, "linsgd: error: " + other + ": expected the columns step,batch_loss\n");
  // A loss file whose steps are not the run's: named, not drawn (before gnuplot is looked for).
  const std::string metrics = (dir.path() / "report.metrics.json").string();
  const auto plot_error = [&](const std::string& losses) {
    const auto refused = run_cli(
        "plot --metrics '" + metrics + "' --loss '" + losses + "' -o '" + png.string() + "'", dir,
        "PATH=/nonexistent");
    EXPECT_EQ(refused.exit_code, 2) << losses;
    return refused.err;
  };
  std::string whole = "step,batch_loss\n";
  for (int step = 1; step <= 50; ++step) whole += std::to_string(step) + ",0.5\n";
  EXPECT_EQ(plot_error(dir.file("repeated.csv", "step,batch_loss\n1,0.5\n1,0.4\n")),
            "linsgd: error: " + dir.path().string() +
                "/repeated.csv: line 3: step 1 where step 2 was expected (the steps count up by "
                "one)\n");
  EXPECT_EQ(plot_error(dir.file("half.csv", "step,batch_loss\n0.5,1\n")),
            "linsgd: error: " + dir.path().string() +
                "/half.csv: line 2: step 0.5 is not a whole number >= 1\n");
  const std::string shorter = dir.file("shorter.csv", whole.substr(0, whole.rfind("50,")));
  EXPECT_EQ(plot_error(shorter), "linsgd: error: " + shorter + " ends at step 49, but " + metrics +
                                     " is of a run of 50 steps: the files of two runs?\n");
  const auto directory = run_cli("plot --metrics '" + dir.path().string() + "' --loss '" +
                                     dir.file("whole.csv", whole) + "' -o '" + png.string() + "'",
                                 dir, "PATH=/nonexistent");
  EXPECT_EQ(directory.exit_code, 2);
  EXPECT_EQ(directory.err,
            "linsgd: error: cannot open " + dir.path().string() + ": is a directory\n");
}

// Either file may come from standard input ("-", as with --data), named so in messages; not both.
TEST(Report, PlotReadsEitherFileFromStandardInput) {
  ScratchDir dir;
  const std::string png = (dir.path() / "report.png").string();
  ASSERT_EQ(run_cli("train --device cpu --rows 100 --features 5 --steps 50 --plot '" + png + "'",
                    dir, "PATH=/nonexistent")
                .exit_code,
            0);
  const std::string metrics = (dir.path() / "report.metrics.json").string();
  const std::string loss = (dir.path() / "report.loss.csv").string();
  const std::string err = (dir.path() / "err.txt").string();
  // Exit 1 "gnuplot not found" (PATH has none): both files were read and found consistent.
  const auto plot = [&](const std::string& arguments, const std::string& input) {
    const std::string command = "PATH=/nonexistent '" + std::string(LINSGD_CLI_PATH) + "' plot " +
                                arguments + " -o '" + png + "' < '" + input + "' 2> '" + err + "'";
    const int code = testing::exit_code_of(std::system(command.c_str()));
    return std::to_string(code) + " " + testing::read_text(err);
  };
  EXPECT_EQ(plot("--metrics - --loss '" + loss + "'", metrics)
                .rfind("1 linsgd: error: gnuplot not "
                       "found",
                       0),
            0u);
  EXPECT_EQ(plot("--metrics '" + metrics + "' --loss -", loss)
                .rfind("1 linsgd: error: gnuplot "
                       "not found",
                       0),
            0u);
  const std::string shorter = dir.file("shorter.csv", "step,batch_loss\n1,0.5\n");
  EXPECT_EQ(plot("--metrics - --loss '" + shorter + "'", metrics),
            "2 linsgd: error: " + shorter +
                " ends at step 1, but standard input is of a run of 50 steps: the files of two "
                "runs?\n");
  EXPECT_EQ(plot("--metrics '" + metrics + "' --loss -", shorter),
            "2 linsgd: error: standard input ends at step 1, but " + metrics +
                " is of a run of 50 steps: the files of two runs?\n");
  EXPECT_EQ(plot("--metrics - --loss -", loss),
            "2 linsgd: error: --metrics - and --loss -: standard input can be read once; name a "
            "file for one of them\n");
  // Not a JSON object, or a key repeated: refused as a model file would be.
  EXPECT_EQ(plot("--metrics - --loss '" + loss + "'", loss),
            "2 linsgd: error: standard input: not a valid metrics file (a JSON object, which "
            "begins with '{'; this file begins with 'step,batch_loss\\x0A')\n");
  const std::string twice = dir.file("twice.json", "{\"report\": {}, \"report\": {}}");
  EXPECT_EQ(plot("--metrics - --loss '" + loss + "'", twice),
            "2 linsgd: error: standard input: the key \"report\" comes twice in one object (which "
            "one counts is not defined)\n");
}

TEST(Report, PlotRefusesAMetricsFileWithoutReport) {
  ScratchDir dir;
  const auto metrics = dir.file("m.json", "{\"rows\": 3}");
  const auto loss = dir.file("l.csv", "step,batch_loss\n1,0.5\n");
  const auto run = run_cli("plot --metrics '" + metrics + "' --loss '" + loss + "' -o x.png", dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no \"report\" object"), std::string::npos) << run.err;
}

// A report whose panels cannot be drawn is named by its field, exit 2 (not left to gnuplot).
TEST(Report, PlotNamesAReportItCannotDraw) {
  ScratchDir dir;
  ReportData report;
  report.synthetic = false;
  report.scatter_x = report.scatter_y = report.residuals = {0.5f, 1.5f};
  report.scatter_subject = "training rows";
  const std::string loss = dir.file("l.csv", "step,batch_loss\n1,2\n2,1\n");
  const auto refusal = [&](const std::function<void(nlohmann::ordered_json&)>& damage) {
    nlohmann::ordered_json json;
    json["report"] = report_json(report);
    json["steps_run"] = 2;
    damage(json);
    const std::string metrics = dir.file("m.json", json.dump());
    const auto run = run_cli("plot --metrics '" + metrics + "' --loss '" + loss + "' -o '" +
                                 (dir.path() / "p.png").string() + "'",
                             dir, "PATH=/nonexistent");
    EXPECT_EQ(run.exit_code, 2) << run.err;
    return run.err.substr(run.err.find(": report") + 2);
  };
  EXPECT_EQ(refusal([](auto& json) { json["report"]["scatter_y"] = {1.0}; }),
            "report.scatter_x and report.scatter_y hold 2 and 1 values (must be as many, at "
            "least one)\n");
  EXPECT_EQ(refusal([](auto& json) { json["report"]["residuals"] = nlohmann::json::array(); }),
            "report.residuals is empty\n");
  EXPECT_EQ(refusal([](auto& json) {
              json["report"]["residuals"] = {1.0, -1e308};
            }),
            "report.residuals holds -1e+308, beyond float's range\n");
  // The rows the residuals sample: a whole number, not fewer than the residuals.
  for (const nlohmann::json& rows : {nlohmann::json(1e300), nlohmann::json(-3), nlohmann::json(1),
                                     nlohmann::json(2.5), nlohmann::json("many")}) {
    EXPECT_EQ(refusal([&](auto& json) { json["report"]["residual_rows"] = rows; }),
              "report.residual_rows is " + rows.dump() +
                  " (must be a whole number, at least the residuals' count, 2)\n");
  }
  EXPECT_EQ(refusal([](auto& json) { json["report"]["final_loss"] = 1e300; }),
            "report.final_loss holds 1e+300, beyond float's range\n");
  const std::string steps = refusal([](auto& json) { json["steps_run"] = "abc"; });
  EXPECT_NE(steps.find("steps_run is \"abc\" (must be a whole number)"), std::string::npos)
      << steps;
}

}  // namespace
}  // namespace linsgd
