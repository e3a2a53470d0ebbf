// Reading a share of a file's rows (ReadOptions::share, one process of a data-parallel run):
// for CSV (header or none, blank lines, CRLF, quoted fields holding newlines, gzip, several
// parsing threads) and .npy (float32 and float64, a target column, --labels and --sample-weight
// files), every share of 1 to 4 is the matching slice of the whole file read at once, and the
// shares together are the file. A bad value is the error of the share holding it, named by its
// line or row in the whole file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"
#include "npy_writer.hpp"

namespace linsgd {
namespace {

using testing::npy_bytes;
using testing::NpySpec;
using testing::ScratchDir;

std::vector<float> slice(const std::vector<float>& values, int64_t first, int64_t count,
                         int64_t width) {
  if (values.empty()) return {};
  return {values.begin() + first * width, values.begin() + (first + count) * width};
}

// Every share of `path` for 1 to 4 processes against the whole file.
void expect_shares_are_slices(const std::string& path, ReadOptions options) {
  const Dataset whole = read_dataset(path, options);
  ASSERT_EQ(whole.file_rows, whole.rows);
  for (int count = 1; count <= 4; ++count) {
    int64_t next_row = 0;
    for (int index = 0; index < count; ++index) {
      options.share = {index, count};
      const Dataset share = read_dataset(path, options);
      SCOPED_TRACE(path + ": share " + std::to_string(index) + " of " + std::to_string(count));
      EXPECT_EQ(share.file_rows, whole.rows);
      EXPECT_EQ(share.first_row, next_row);
      // As even as they go: the first rows % count shares one row longer.
      EXPECT_EQ(share.rows, whole.rows / count + (index < whole.rows % count ? 1 : 0));
      EXPECT_EQ(share.features, whole.features);
      EXPECT_EQ(share.feature_names, whole.feature_names);
      EXPECT_EQ(share.X, slice(whole.X, share.first_row, share.rows, whole.features));
      EXPECT_EQ(share.y, slice(whole.y, share.first_row, share.rows, 1));
      EXPECT_EQ(share.sample_weights, slice(whole.sample_weights, share.first_row, share.rows, 1));
      next_row += share.rows;
    }
    EXPECT_EQ(next_row, whole.rows);
  }
}

std::string error_of(const std::string& path, ReadOptions options) {
  try {
    read_dataset(path, options);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

TEST(RowShares, CsvWithHeaderBlankLinesCrlfAndAWeightColumn) {
  ScratchDir dir;
  std::string text = "a,b,w,y\r\n\r\n";
  for (int i = 0; i < 11; ++i) {
    text += std::to_string(i) + "," + std::to_string(-2 * i) + ".5," + std::to_string(i % 3) + "," +
            std::to_string(i * i) + "\r\n" + (i % 4 == 1 ? "\n\n" : "");
  }
  ReadOptions options;
  options.sample_weight = "w";
  expect_shares_are_slices(dir.file("a.csv", text + "12,0,1,7"), options);  // no final newline
}

TEST(RowShares, CsvWithoutHeaderAndOnSeveralParsingThreads) {
  ScratchDir dir;
  std::string text;
  for (int i = 0; i < 23; ++i) text += std::to_string(i) + ",1e-3," + std::to_string(i % 5) + "\n";
  const std::string path = dir.file("b.csv", text);
  expect_shares_are_slices(path, {});
  ReadOptions threads;
  threads.parse_threads = 3;
  expect_shares_are_slices(path, threads);
}

TEST(RowShares, CsvWithQuotedFieldsHoldingNewlines) {
  ScratchDir dir;
  // The name column (ignored) holds newlines: the records are not the lines.
  std::string text = "name,x,y\n";
  for (int i = 0; i < 9; ++i) {
    text += (i % 2 == 0 ? "\"two\nlines, " + std::to_string(i) + "\"" : "plain") + "," +
            std::to_string(i) + "," + std::to_string(3 * i) + "\n";
  }
  ReadOptions options;
  options.feature_names = {"x"};
  options.target_name = "y";
  expect_shares_are_slices(dir.file("c.csv", text), options);
}

TEST(RowShares, GzipCsv) {
  ScratchDir dir;
  std::string text = "x,y\n";
  for (int i = 0; i < 10; ++i) text += std::to_string(i) + "," + std::to_string(i + 0.25) + "\n";
  const std::string csv = dir.file("d.csv", text);
  ASSERT_EQ(std::system(("gzip -c '" + csv + "' > '" + csv + ".gz'").c_str()), 0);
  expect_shares_are_slices(csv + ".gz", {});
}

TEST(RowShares, NpyFloat32AndFloat64WithATargetColumn) {
  ScratchDir dir;
  std::vector<double> values;
  for (int i = 0; i < 13 * 3; ++i) values.push_back(0.5 * i - 7.0);
  for (const char* descr : {"<f4", "<f8"}) {
    NpySpec spec;
    spec.descr = descr;
    spec.shape = {13, 3};
    expect_shares_are_slices(dir.file(std::string("e") + descr + ".npy", npy_bytes(spec, values)),
                             {});
  }
}

TEST(RowShares, NpyWithLabelsAndSampleWeightFiles) {
  ScratchDir dir;
  std::vector<double> x, y, w;
  for (int i = 0; i < 10; ++i) {
    x.insert(x.end(), {1.0 * i, -1.0 * i});
    y.push_back(i * 0.1);
    w.push_back(i % 3);
  }
  ReadOptions options;
  options.labels = dir.file("y.npy", npy_bytes({"<f8", false, {10}}, y));
  options.sample_weight = dir.file("w.npy", npy_bytes({"<f4", false, {10, 1}}, w));
  expect_shares_are_slices(dir.file("x.npy", npy_bytes({"<f4", false, {10, 2}}, x)), options);
}

TEST(RowShares, MoreSharesThanRowsLeavesSomeEmpty) {
  ScratchDir dir;
  const std::string path = dir.file("f.csv", "x,y\n1,2\n3,4\n");
  ReadOptions options;
  options.share = {2, 3};
  const Dataset last = read_dataset(path, options);
  EXPECT_EQ(last.rows, 0);
  EXPECT_EQ(last.file_rows, 2);
  EXPECT_EQ(last.first_row, 2);
}

TEST(RowShares, ABadCsvCellIsTheErrorOfItsShareAtItsLine) {
  ScratchDir dir;
  std::string text = "x,y\n";
  for (int i = 0; i < 8; ++i) text += std::to_string(i) + "," + (i == 6 ? "oops" : "1") + "\n";
  const std::string path = dir.file("g.csv", text);  // row 6 is line 8
  ReadOptions options;
  options.share = {0, 2};
  EXPECT_EQ(error_of(path, options), "");
  options.share = {1, 2};
  EXPECT_EQ(error_of(path, options), path + ": line 8, column 2: not a number: 'oops'");
}

TEST(RowShares, ABadCellIsReportedByItsShareAsTheWholeReadReportsIt) {
  // Layouts that move lines away from rows: a header, CRLF, blank lines, quoted fields holding
  // newlines, no final newline. One bad cell each (row 7 of 10): the share holding it says what
  // the whole read says; the other shares read.
  ScratchDir dir;
  const auto table = [](const std::string& header, const std::string& end, bool quoted,
                        bool blank_lines) {
    std::string text = header;
    for (int i = 0; i < 10; ++i) {
      if (blank_lines && i % 3 == 1) text += end;
      text += (quoted ? "\"a\nb\"," : "") + std::to_string(i) + "," +
              (i == 7 ? "bad" : std::to_string(2 * i));
      if (i < 9) text += end;
    }
    return text;
  };
  const std::vector<std::pair<std::string, std::string>> files = {
      {"header-crlf.csv", table("x,y\r\n", "\r\n", false, true)},
      {"no-header.csv", table("", "\n", false, true)},
      {"quoted.csv", table("name,x,y\n", "\n", true, true)},
  };
  for (const auto& [name, text] : files) {
    const std::string path = dir.file(name, text);
    ReadOptions options;
    if (name == "quoted.csv") {
      options.feature_names = {"x"};
      options.target_name = "y";
    }
    const std::string whole = error_of(path, options);
    ASSERT_NE(whole, "") << name;
    for (int count = 2; count <= 4; ++count) {
      for (int index = 0; index < count; ++index) {
        options.share = {index, count};
        const RowShare& share = options.share;
        const bool holds_row_7 =
            share.first_row(10) <= 7 && 7 < share.first_row(10) + share.row_count(10);
        EXPECT_EQ(error_of(path, options), holds_row_7 ? whole : "")
            << name << ": share " << index << " of " << count;
      }
    }
  }
}

TEST(RowShares, BadNpyValuesAndWeightsNameTheirRowInTheWholeFile) {
  ScratchDir dir;
  std::vector<double> values(12, 1.0);
  values[9 * 1 + 0] = std::nan("");  // row 9 of 12 rows x 1 column
  const std::string x = dir.file("h.npy", npy_bytes({"<f4", false, {12, 1}}, values));
  ReadOptions options;
  options.labels = dir.file("hy.npy", npy_bytes({"<f4", false, {12}}, std::vector<double>(12)));
  options.share = {1, 3};
  EXPECT_EQ(error_of(x, options), "");
  options.share = {2, 3};
  EXPECT_EQ(error_of(x, options),
            x + ": row 9 (counted from 0): non-finite value (NaN, Inf or beyond float range)");

  std::vector<double> weights(12, 1.0);
  weights[5] = -1.0;
  ReadOptions weighted;
  weighted.labels = options.labels;
  weighted.sample_weight = dir.file("hw.npy", npy_bytes({"<f4", false, {12}}, weights));
  const std::string finite =
      dir.file("i.npy", npy_bytes({"<f4", false, {12, 1}}, std::vector<double>(12, 2.0)));
  weighted.share = {1, 3};
  EXPECT_EQ(error_of(finite, weighted),
            weighted.sample_weight +
                ": row 5 (counted from 0): sample weight -1.000000 (must be finite and >= 0)");
  // A share whose weights are all 0 is read: the run checks their sum across the shares.
  std::vector<double> zero_first(12, 1.0);
  for (int i = 0; i < 4; ++i) zero_first[i] = 0.0;
  weighted.sample_weight = dir.file("hz.npy", npy_bytes({"<f4", false, {12}}, zero_first));
  weighted.share = {0, 3};
  EXPECT_EQ(error_of(finite, weighted), "");
}

}  // namespace
}  // namespace linsgd
