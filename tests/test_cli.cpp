// End-to-end tests of the linsgd binary: the default run's summary and metrics file, and a
// one-line error with exit code 2 for every bad option; the CPU BLAS kernels it runs.
#include <gtest/gtest.h>
#include <sched.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

#include "cli_runner.hpp"
#include "cpu/blas_info.hpp"
#include "cpu/cpu_info.hpp"
#include "linsgd/trainer.hpp"
#include "npy_writer.hpp"

namespace linsgd {
namespace {

using testing::run_cli;
using testing::ScratchDir;

// A refusal is one stderr line, starting "linsgd: error:", naming what is wrong; exit code 2.
void expect_usage_error(const std::string& arguments, const std::string& named) {
  ScratchDir scratch;
  const testing::CliRun run = run_cli(arguments, scratch);
  EXPECT_EQ(run.exit_code, 2) << arguments << "\nstderr: " << run.err;
  EXPECT_EQ(run.err.rfind("linsgd: error: ", 0), 0u) << run.err;
  EXPECT_NE(run.err.find(named), std::string::npos) << "expected '" << named << "' in: " << run.err;
  EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << "not one line: " << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

TEST(Cli, TrainPrintsTheSummaryAndWritesMetrics) {
  ScratchDir scratch;
  const auto metrics = scratch.path() / "run.json";
  const testing::CliRun run =
      run_cli("train --device cpu --rows 500 --features 20 --steps 300 --seed 9 --metrics-out '" +
                  metrics.string() + "'",
              scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* line :
       {"device              CPU: ", "500 rows x 20 features, batch 64", "final batch loss",
        "full-dataset loss", "||w - w*|| / ||w*||", "|b - b*|", "steps/s"}) {
    EXPECT_NE(run.out.find(line), std::string::npos) << "missing '" << line << "' in\n" << run.out;
  }
  const auto json = nlohmann::json::parse(testing::read_text(metrics));
  for (const char* key :
       {"device", "rows", "features", "batch_size", "steps", "seed", "train_seconds",
        "final_batch_loss", "full_loss", "weight_rel_error", "bias_abs_error"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["rows"], 500);
  EXPECT_EQ(json["features"], 20);
  EXPECT_EQ(json["steps"], 300);
  EXPECT_EQ(json["seed"], 9);
  EXPECT_GT(json["train_seconds"].get<double>(), 0.0);
  EXPECT_GT(json["full_loss"].get<double>(), 0.0);
  EXPECT_LT(json["weight_rel_error"].get<double>(), 1.0);
}

// Sampled by epoch, a batch larger than the data is every row a step (full-batch descent): the
// summary says so, and the metrics keep the --batch-size given. With replacement it is that many
// draws.
TEST(Cli, TheSummarySaysABatchPastTheRowsIsEveryRow) {
  ScratchDir scratch;
  const auto metrics = scratch.path() / "run.json";
  const auto by_epoch = run_cli(
      "train --device cpu --rows 300 --features 5 --sampling epoch --batch-size 1000 --epochs 2 "
      "--metrics-out '" +
          metrics.string() + "'",
      scratch);
  ASSERT_EQ(by_epoch.exit_code, 0) << by_epoch.err;
  EXPECT_NE(by_epoch.out.find("300 rows x 5 features, batch 300 (every row; --batch-size 1000), "),
            std::string::npos)
      << by_epoch.out;
  EXPECT_EQ(nlohmann::json::parse(testing::read_text(metrics))["batch_size"], 1000);
  // Stepped as a batch of every row, bit for bit, with buffers for those rows: a batch size
  // past the memory of any machine runs.
  const auto weights_of = [&](const std::string& batch) {
    const auto model = scratch.path() / ("model-" + batch + ".json");
    const auto run = run_cli(
        "train --device cpu --rows 300 --features 5 --sampling epoch --epochs 2 --batch-size " +
            batch + " -q --model-out '" + model.string() + "'",
        scratch);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const auto json = nlohmann::json::parse(testing::read_text(model));
    EXPECT_EQ(json["hyperparameters"]["batch_size"], std::stoll(batch));
    return json["weights"];
  };
  EXPECT_EQ(weights_of("2000000000"), weights_of("300"));
  const auto drawn =
      run_cli("train --device cpu --rows 300 --features 5 --batch-size 1000 --steps 2", scratch);
  ASSERT_EQ(drawn.exit_code, 0) << drawn.err;
  EXPECT_NE(drawn.out.find("300 rows x 5 features, batch 1000, "), std::string::npos) << drawn.out;
}

TEST(Cli, QuietPrintsNothing) {
  ScratchDir scratch;
  const auto run = run_cli("train --device cpu --rows 50 --features 5 --steps 10 --quiet", scratch);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

TEST(Cli, NoProgressLineWhenStderrIsNotATerminal) {
  // The progress line's own rules are tested on made-up progress (test_progress_line.cpp); here,
  // a run whose stderr is a file writes nothing there, however long it takes.
  ScratchDir scratch;
  const auto run = run_cli("train --device cpu --rows 2000 --features 500 --steps 20000", scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << "progress written to a file: " << run.err;
}

TEST(Cli, RefusesBadSizesAndRates) {
  expect_usage_error("train --rows 0", "--rows: 0");
  expect_usage_error("train --rows -5", "--rows: -5");
  expect_usage_error("train --features 0", "--features: 0");
  expect_usage_error("train --batch-size 0", "--batch-size: 0");
  expect_usage_error("train --batch-size -64", "--batch-size: -64");
  expect_usage_error("train --steps 0", "--steps: 0");
  expect_usage_error("train --lr 0", "--lr: 0");
  expect_usage_error("train --lr -0.01", "--lr: -0.01");
  expect_usage_error("train --lr nan", "--lr");
  expect_usage_error("train --lr inf", "--lr");
  expect_usage_error("train --device gpu", "--device: gpu");
  expect_usage_error("train --seed -1", "--seed");
  expect_usage_error("train --fused-blocks -4", "--fused-blocks: -4");
  // 0 would mean the default interval, as if the option were not given.
  expect_usage_error("train --tol 1e-3 --eval-every 0", "--eval-every: invalid value 0");
}

TEST(Cli, RefusesOptionsThatDoNotApply) {
  ScratchDir scratch;
  const std::string csv = scratch.file("d.csv", "a,b,y\n1,2,3\n4,5,6\n7,8,9\n");
  expect_usage_error("train --data '" + csv + "' --rows 5", "--rows sizes the synthetic problem");
  expect_usage_error("train --data '" + csv + "' --features 2",
                     "--features sizes the synthetic problem");
  // .npy data, known by its content whatever its name.
  const std::string npy = scratch.file(
      "X.bin", testing::npy_bytes({"<f4", false, {3, 3}, 0}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  expect_usage_error("train --device cpu --data '" + npy + "' --delimiter ';'",
                     "--delimiter applies to CSV data, not to the .npy data of " + npy);
  const std::string model = (scratch.path() / "m.json").string();
  ASSERT_EQ(run_cli("train --quiet --device cpu --steps 10 --data '" + csv + "' --model-out '" +
                        model + "'",
                    scratch)
                .exit_code,
            0);
  expect_usage_error("predict --model '" + model + "' --data '" + npy + "' --no-header",
                     "--no-header applies to CSV data, not to the .npy data of " + npy);
  expect_usage_error("train --engine gemv --fused-blocks 4",
                     "--fused-blocks: 4 (applies to the fused engine, not to --engine gemv)");
  expect_usage_error("train --device cpu --fused-blocks 44 --rows 50 --features 5",
                     "--fused-blocks 44: applies to the GPU's fused engine, and this run trains "
                     "on the CPU");
  if (!cuda_device_available()) {
    expect_usage_error("train --fused-blocks 44 --rows 50 --features 5",
                       "--fused-blocks 44: applies to the GPU's fused engine");
  }
  expect_usage_error("train --device cpu --device-memory-limit 1e9 --rows 50 --features 5",
                     "--device-memory-limit 1000000000: applies to the GPU, and this run trains "
                     "on the CPU");
  expect_usage_error("train --device-memory-limit 0",
                     "--device-memory-limit: invalid value 0 (must be at least 1)");
}

TEST(Cli, VersionNamesLinsgdCudaAndTheCpuKernels) {
  ScratchDir scratch;
  for (const char* flag : {"--version", "-V"}) {
    const auto run = run_cli(flag, scratch);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out.rfind("linsgd 0.2.0\nCUDA ", 0), 0u) << run.out;
    EXPECT_NE(run.out.find(" at build; runtime "), std::string::npos) << run.out;
    // The third line: OpenBLAS and the kernel set it picked for this CPU.
    EXPECT_NE(run.out.find("\nOpenBLAS "), std::string::npos) << run.out;
    EXPECT_NE(run.out.find(" (kernels for "), std::string::npos) << run.out;
  }
}

// The kernels OpenBLAS runs are as wide as this CPU's instruction sets call for: where OpenBLAS
// picked narrower ones as it loaded (Debian 12's takes Intel's newest CPUs for old ones), linsgd
// starts itself again with OPENBLAS_CORETYPE naming them, and --version says so. An
// OPENBLAS_CORETYPE the user set stands.
TEST(Cli, OpenBlasRunsKernelsAsWideAsTheCpus) {
  ScratchDir scratch;
  const auto run = run_cli("--version", scratch, "env -u OPENBLAS_CORETYPE");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string wanted = blas_kernels_for(cpuinfo_field("vendor_id"), cpuinfo_field("flags"));
  const auto named = run.out.find(" (kernels for ");
  ASSERT_NE(named, std::string::npos) << run.out;
  const std::string in_use =
      run.out.substr(named + 14, run.out.find_first_of(",)", named) - named - 14);
  if (run.out.find("DYNAMIC_ARCH") == std::string::npos) return;  // one kernel set, built in
  if (!wanted.empty()) {
    EXPECT_GE(blas_kernels_rank(in_use), blas_kernels_rank(wanted)) << run.out;
  }
  if (run.out.find("DYNAMIC_ARCH") == std::string::npos) return;  // one kernel set, built in
  const auto chosen = run_cli("--version", scratch, "OPENBLAS_CORETYPE=Nehalem");
  ASSERT_EQ(chosen.exit_code, 0) << chosen.err;
  EXPECT_NE(chosen.out.find(" (kernels for Nehalem, OPENBLAS_CORETYPE=Nehalem)\n"),
            std::string::npos)
      << chosen.out;
}

// The rule, on the flags of CPUs of each kind (abridged /proc/cpuinfo lines), and the ranks.
TEST(Cli, BlasKernelsFollowTheCpusInstructionSets) {
  const std::string avx2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi1 bmi2";
  const std::string avx512 = avx2 + " avx512f avx512dq avx512cd avx512bw avx512vl";
  EXPECT_EQ(blas_kernels_for("GenuineIntel", avx512 + " avx512_vnni avx512_bf16 amx_tile"),
            "SkylakeX");  // Sapphire and Emerald Rapids
  EXPECT_EQ(blas_kernels_for("AuthenticAMD", avx512 + " avx512_bf16"), "SkylakeX");  // Zen 4
  EXPECT_EQ(blas_kernels_for("GenuineIntel", avx512 + " avx512_vnni"), "SkylakeX");  // Ice Lake
  EXPECT_EQ(blas_kernels_for("GenuineIntel", avx2), "Haswell");
  EXPECT_EQ(blas_kernels_for("AuthenticAMD", avx2), "Zen");                   // Zen 1 to 3
  EXPECT_EQ(blas_kernels_for("GenuineIntel", avx2 + " avx512f"), "Haswell");  // AVX-512 in part
  EXPECT_EQ(blas_kernels_for("GenuineIntel", "fpu sse sse2 ssse3 sse4_1 sse4_2 avx"), "");
  EXPECT_EQ(blas_kernels_for("", ""), "");
  EXPECT_EQ(blas_kernels_rank("Prescott"), 0);
  EXPECT_EQ(blas_kernels_rank("SANDYBRIDGE"), 1);
  EXPECT_EQ(blas_kernels_rank("Zen"), blas_kernels_rank("Haswell"));
  EXPECT_EQ(blas_kernels_rank("Cooperlake"), blas_kernels_rank("SkylakeX"));
  EXPECT_GT(blas_kernels_rank("SkylakeX"), blas_kernels_rank("Haswell"));
  EXPECT_EQ(blas_kernels_rank("Neoverse"), -1);
}

TEST(Cli, AnUnknownCommandListsTheCommands) {
  expect_usage_error("fit --data d.csv",
                     "unknown command 'fit'; the commands are train, evaluate, predict and plot");
}

TEST(Cli, IntegerOptionsTakeAnyIntegralSpellingAndRefuseTheRest) {
  ScratchDir scratch;
  const auto spelled = run_cli(
      "train --device cpu --rows 2e2 --features 5 --steps 1.5e2 -q "
      "--metrics-out " +
          (scratch.path() / "a.json").string(),
      scratch);
  const auto plain = run_cli(
      "train --device cpu --rows 200 --features 5 --steps 150 -q "
      "--metrics-out " +
          (scratch.path() / "b.json").string(),
      scratch);
  ASSERT_EQ(spelled.exit_code, 0) << spelled.err;
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto a = nlohmann::json::parse(testing::read_text(scratch.path() / "a.json"));
  const auto b = nlohmann::json::parse(testing::read_text(scratch.path() / "b.json"));
  EXPECT_EQ(a["steps"], 150);
  EXPECT_EQ(a["rows"], 200);
  EXPECT_EQ(a["full_loss"], b["full_loss"]);
  expect_usage_error("train --steps 1.5",
                     "--steps: invalid value 1.5 (must be an integer, not a "
                     "fraction)");
  // Beyond the type: refused, not wrapped (-1) or clamped (2^64).
  expect_usage_error("train --seed 18446744073709551616",
                     "--seed: invalid value 18446744073709551616 (must be at most "
                     "18446744073709551615)");
  expect_usage_error("train --seed -1", "--seed: invalid value -1 (must be at least 0)");
  expect_usage_error("train --fused-blocks 1e10",
                     "--fused-blocks: invalid value 1e10 (must be at most 2147483647)");
  expect_usage_error("train --checkpoint c.ckpt --checkpoint-every 99999999999999999999999",
                     "--checkpoint-every: invalid value 99999999999999999999999 (must be at most "
                     "9223372036854775807)");
  expect_usage_error("train --distributed --sync-every 2.5",
                     "--sync-every: invalid value 2.5 (must be an integer, not a fraction)");
  const auto checkpointed = run_cli(
      "train --device cpu --rows 200 --features 5 --steps 20 -q "
      "--checkpoint-every 1e1 --checkpoint " +
          (scratch.path() / "c.ckpt").string(),
      scratch);
  EXPECT_EQ(checkpointed.exit_code, 0) << checkpointed.err;
  cpu_set_t allowed;  // the binary runs with this process's affinity
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  const int cores = CPU_COUNT(&allowed);
  expect_usage_error("train --device cpu --threads " + std::to_string(cores + 1),
                     "--threads " + std::to_string(cores + 1) + ": this process may run on " +
                         std::to_string(cores) + (cores == 1 ? " core" : " cores"));
}

TEST(Cli, RefusesUnknownOptionsAndMalformedNumbers) {
  expect_usage_error("train --bogus 3", "unknown option --bogus (--help lists the options)");
  expect_usage_error("train --steps 1 --steps 2", "--steps given 2 times: give it once");
  expect_usage_error("train --steps", "--steps needs a value");
  expect_usage_error("train extra", "unexpected argument extra (--help lists the options)");
  // An empty value would mean the default (the synthetic problem for --data, no model written for
  // --model-out): refused.
  for (const char* option : {"--data", "--model-out", "--target", "--sample-weight"}) {
    expect_usage_error(
        std::string("train --device cpu ") + option + " ''",
        std::string(option) + ": an empty value (give one, or leave the option out)");
  }
  expect_usage_error("train --rows many", "--rows");
  // Numbers are decimal, as data cells are: no hex, no inf or nan.
  expect_usage_error("train --steps 0x10", "--steps: invalid value 0x10 (must be an integer)");
  expect_usage_error("train --seed inf", "--seed: invalid value inf (must be an integer)");
  expect_usage_error("train --sigma 0x1p-3",
                     "--sigma: invalid value 0x1p-3 (must be a decimal number)");
  expect_usage_error("train --sigma 0.01x",
                     "--sigma: invalid value 0.01x (must be a decimal number)");
  expect_usage_error("train --penalty l2 --alpha 1e400",
                     "--alpha: invalid value 1e400 (beyond double's range)");
  expect_usage_error("train --lr 1e-400",
                     "invalid value for --lr: 1e-400 (must be within float's range, 1.2e-38 to "
                     "3.4e38)");
  expect_usage_error("train --sigma 1e39",
                     "invalid value for --sigma: 1e+39 (beyond float's range)");
  expect_usage_error("train --lr 0x10",
                     "invalid value for --lr: 0x10 (must be a positive finite number, or auto)");
  expect_usage_error("", "subcommand");
}

TEST(Cli, ARunLargerThanHostMemoryIsRefusedBeforeAllocating) {
  // 2e9 x 2000 floats: 16 TB.
  expect_usage_error("train --device cpu --rows 2000000000 --features 2000 --steps 1",
                     "of host memory but");
}

TEST(Cli, DeviceCudaWithoutAGpuIsRefused) {
  if (cuda_device_available()) GTEST_SKIP() << "a CUDA GPU is present";
  expect_usage_error("train --device cuda --rows 50 --features 5 --steps 10", "--device cuda");
}

TEST(Cli, AutoFallsBackToTheCpuWithANotice) {
  if (cuda_device_available()) GTEST_SKIP() << "a CUDA GPU is present";
  ScratchDir scratch;
  const auto run = run_cli("train --rows 50 --features 5 --steps 10", scratch);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "linsgd: no CUDA GPU found; training on the CPU\n");
  EXPECT_NE(run.out.find("CPU: "), std::string::npos);
  // --quiet: nothing at all on success, the notice included.
  const auto quiet = run_cli("train --rows 50 --features 5 --steps 10 --quiet", scratch);
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.out, "");
}

}  // namespace
}  // namespace linsgd
