// The CSV and .npy readers: what they accept (headers detected or declared, quoted fields, CRLF,
// other delimiters, targets by name, index or position, optional targets for prediction) and
// the one-line error, naming file, line and column, for each kind of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "io/input_bytes.hpp"
#include "io/quoted_text.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"
#include "npy_writer.hpp"

namespace linsgd {
namespace {

using testing::ScratchDir;

std::string read_error(const std::string& path, const ReadOptions& options = {}) {
  try {
    read_dataset(path, options);
  } catch (const InputError& error) {
    return error.what();
  } catch (const UsageError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error reading " << path;
  return "";
}

TEST(CsvReader, ReadsHeaderNamesAndTheLastColumnAsTarget) {
  ScratchDir dir;
  const auto path = dir.file("a.csv", "a,b,price\n1,2,3\n4.5,-6e-1,+7\n");
  const Dataset data = read_dataset(path, {});
  EXPECT_EQ(data.rows, 2);
  EXPECT_EQ(data.features, 2);
  EXPECT_EQ(data.X, (std::vector<float>{1, 2, 4.5f, -0.6f}));
  EXPECT_EQ(data.y, (std::vector<float>{3, 7}));
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(data.target_name, "price");
}

TEST(CsvReader, DetectsAMissingHeaderAndNamesColumns) {
  ScratchDir dir;
  const Dataset data = read_dataset(dir.file("a.csv", "1,2,3\n4,5,6\n"), {});
  EXPECT_EQ(data.rows, 2);
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"x0", "x1"}));
  ReadOptions declared;
  declared.header = HeaderMode::kPresent;  // a numeric first row declared a header
  EXPECT_EQ(read_dataset(dir.file("b.csv", "1,2,3\n4,5,6\n"), declared).rows, 1);
}

TEST(CsvReader, HandlesQuotesCrlfBlankLinesAndOtherDelimiters) {
  ScratchDir dir;
  const auto path = dir.file(
      "q.csv", "\"x, first\";\"say \"\"hi\"\"\";y\r\n\"1.5\" ; 2 ;3\r\n\r\n4;5; \"6\"\t\r\n");
  ReadOptions options;
  options.delimiter = ';';
  const Dataset data = read_dataset(path, options);
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"x, first", "say \"hi\""}));
  EXPECT_EQ(data.X, (std::vector<float>{1.5f, 2, 4, 5}));
  EXPECT_EQ(data.y, (std::vector<float>{3, 6}));
  // Spaces and tabs around a quoted field are passed over, as around a plain field; other text
  // after it is refused.
  EXPECT_EQ(read_error(dir.file("after.csv", "a,y\n\"1.5\"x,2\n")),
            dir.path().string() +
                "/after.csv: line 2, column 1: unexpected text after a closing "
                "quote");
}

TEST(CsvReader, PicksTheTargetByNameIndexOrNegativeIndex) {
  ScratchDir dir;
  const auto path = dir.file("t.csv", "a,b,c\n1,2,3\n");
  ReadOptions options;
  options.target = "a";
  EXPECT_EQ(read_dataset(path, options).y, std::vector<float>{1});
  options.target = "1";
  EXPECT_EQ(read_dataset(path, options).y, std::vector<float>{2});
  options.target = "-3";
  const Dataset data = read_dataset(path, options);
  EXPECT_EQ(data.y, std::vector<float>{1});
  EXPECT_EQ(data.X, (std::vector<float>{2, 3}));
}

TEST(CsvReader, PredictionInputMayLackTheTarget) {
  ScratchDir dir;
  ReadOptions options;
  options.features_if_no_target = 2;
  const Dataset without = read_dataset(dir.file("p.csv", "a,b\n1,2\n"), options);
  EXPECT_FALSE(without.has_target());
  EXPECT_EQ(without.features, 2);
  const Dataset with = read_dataset(dir.file("q.csv", "a,b,y\n1,2,3\n"), options);
  EXPECT_TRUE(with.has_target());
  EXPECT_EQ(with.features, 2);
  // One column, its name holding a '|' that no data line holds: not a delimiter.
  options.features_if_no_target = 1;
  const Dataset one = read_dataset(dir.file("one.csv", "price|usd\n1\n2\n"), options);
  EXPECT_EQ(one.features, 1);
  EXPECT_EQ(one.feature_names, std::vector<std::string>{"price|usd"});
}

TEST(CsvReader, NamesTheFileLineAndColumnOfEachProblem) {
  ScratchDir dir;
  const std::string d = dir.path().string() + "/";
  EXPECT_EQ(read_error(d + "missing.csv"),
            "cannot open " + d + "missing.csv: No such file or directory");
  EXPECT_EQ(read_error(dir.file("empty.csv", "")), d + "empty.csv: the file is empty");
  EXPECT_EQ(read_error(dir.file("blank.csv", "\n\n")), d + "blank.csv: only blank lines, no data");
  EXPECT_EQ(read_error(dir.file("header.csv", "a,b,y\n")),
            d + "header.csv: no data rows after the header");
  EXPECT_EQ(read_error(dir.file("short.csv", "a,b,y\n1,2,3\n4,5\n")),
            d + "short.csv: line 3: expected 3 fields, found 2");
  EXPECT_EQ(read_error(dir.file("long.csv", "a,b,y\n1,2,3\n\n4,5,6,7\n")),
            d + "long.csv: line 4: expected 3 fields, found 4");
  EXPECT_EQ(read_error(dir.file("text.csv", "a,b,y\n1,2,3\n4,five,6\n")),
            d + "text.csv: line 3, column 2: not a number: 'five'");
  // One sign at most ("+1" and "-1" are numbers; fast_float alone would take the '-' of "+-1").
  for (const char* signs : {"+-1", "+-.5", "++1", "-+1", "--1"}) {
    EXPECT_EQ(read_error(dir.file("signs.csv", std::string("a,y\n+1,-1\n2,") + signs + "\n")),
              d + "signs.csv: line 3, column 2: not a number: '" + signs + "'");
  }
  // One column that holds another common delimiter: the delimiter to pass is named.
  EXPECT_EQ(read_error(dir.file("semicolons.csv", "a;b;y\n1;2;3\n")),
            d + "semicolons.csv: line 1 is one column for the delimiter ',' but holds ';': pass "
                "--delimiter ';'");
  EXPECT_EQ(read_error(dir.file("tabs.csv", "a\tb\ty\n1\t2\t3\n")),
            d + "tabs.csv: line 1 is one column for the delimiter ',' but holds '\\t': pass "
                "--delimiter tab");
  // Lines ended by CR alone read as one line: the line endings are named (a quoted CR is text).
  EXPECT_EQ(read_error(dir.file("mac.csv", "a,b,y\r1,2,3\r4,5,6\r")),
            d + "mac.csv: line 1: a carriage return before the line's end: are its lines ended by "
                "CR alone (old Mac OS)? Convert them to LF (tr '\\r' '\\n')");
  EXPECT_EQ(read_error(dir.file("quoted_cr.csv", "a,\"b\rc\",y\n1,2,x\n")),
            d + "quoted_cr.csv: line 2, column 3: not a number: 'x'");
  // A cell is shown quoted, its control characters escaped and a long one cut: one short line.
  EXPECT_EQ(read_error(dir.file("quoted.csv", "a,b,y\n1,\"fi\nve\",6\n")),
            d + "quoted.csv: line 2, column 2: not a number: 'fi\\nve'");
  EXPECT_EQ(read_error(dir.file("long_cell.csv", "a,b,y\n1," + std::string(100000, 'z') + ",6\n")),
            d + "long_cell.csv: line 2, column 2: not a number: '" + std::string(60, 'z') +
                "'... (100000 bytes)");
  EXPECT_EQ(
      read_error(dir.file("nan.csv", "a,b,y\n1,nan,3\n")),
      d + "nan.csv: line 2, column 2: non-finite value 'nan' (NaN, Inf or beyond float range)");
  EXPECT_EQ(
      read_error(dir.file("inf.csv", "a,b,y\n1,2,-Inf\n")),
      d + "inf.csv: line 2, column 3: non-finite value '-Inf' (NaN, Inf or beyond float range)");
  EXPECT_EQ(
      read_error(dir.file("huge.csv", "a,b,y\n1,1e39,3\n")),
      d + "huge.csv: line 2, column 2: non-finite value '1e39' (NaN, Inf or beyond float range)");
  EXPECT_EQ(read_error(dir.file("empty_cell.csv", "a,b,y\n1,,3\n")),
            d + "empty_cell.csv: line 2, column 2: empty cell");
  EXPECT_EQ(read_error(dir.file("trailing.csv", "a,b,y,\n1,2,3,\n")),
            d + "trailing.csv: line 1, column 4: the header names no column there (does the line "
                "end with the delimiter?)");
  EXPECT_EQ(read_error(dir.file("trailing_rows.csv", "a,b,y\n1,2,3,\n")),
            d + "trailing_rows.csv: line 2: expected 3 fields, found 4 (the line ends with the "
                "delimiter ',')");
  EXPECT_EQ(read_error(dir.file("mixed.csv", "1.5,NA,2.0\n1,2,3\n")),
            d + "mixed.csv: line 1 mixes numbers and other cells ('1.5', 'NA', '2.0'): say " +
                "whether it is a header with --header or --no-header");
  EXPECT_EQ(read_error(dir.file("twice.csv", "a,b,a,b,y\n1,2,3,4,5\n")),
            d + "twice.csv: duplicate column names in the header: 'a', 'b'");
  // A name's control characters are escaped: the error stays one line.
  EXPECT_EQ(read_error(dir.file("crlf_name.csv", "\"a\r\nb\",\"a\r\nb\",y\n1,2,3\n")),
            d + "crlf_name.csv: duplicate column names in the header: 'a\\r\\nb'");
  // A first comment line (before a header, quoted or not, or another comment) is named as one;
  // a quoted cell that starts with '#' is no comment.
  for (const char* after : {"a,y\n1,2\n", "\"a\",\"y\"\n1,2\n", "# again\na,y\n1,2\n"}) {
    EXPECT_EQ(read_error(dir.file("comment.csv", std::string("\n# made by hand\n") + after)),
              d + "comment.csv: line 2 starts with '#': comment lines are not read; remove them "
                  "(grep -v '^#')");
  }
  EXPECT_EQ(read_error(dir.file("hash.csv", "\"#a\"\n1,2\n")),
            d + "hash.csv: only one column, so no features besides the target");
  EXPECT_EQ(read_error(dir.file("one.csv", "y\n1\n2\n")),
            d + "one.csv: only one column, so no features besides the target");
  EXPECT_EQ(read_error(dir.file("quote.csv", "a,y\n\"1,2\n")),
            d + "quote.csv: line 2, column 1: quoted field is not closed");
  ReadOptions by_name;
  by_name.target = "price";
  EXPECT_EQ(read_error(dir.file("name.csv", "a,b,y\n1,2,3\n"), by_name),
            d + "name.csv: --target price: no column of that name");
  ReadOptions weights_file;  // a path that is neither a file nor a column
  weights_file.sample_weight = "nosuch.npy";
  EXPECT_EQ(read_error(dir.file("nofile.csv", "1,2,3\n"), weights_file),
            d + "nofile.csv: --sample-weight nosuch.npy: no such file, nor a column of that name "
                "(the file has no header)");
  ReadOptions by_index;
  by_index.target = "3";
  EXPECT_EQ(read_error(dir.file("index.csv", "a,b,y\n1,2,3\n"), by_index),
            d + "index.csv: --target 3: index out of range (the file has 3 columns, 0 to 2)");
}

TEST(CsvReader, AByteOrderMarkIsNotPartOfTheFirstCell) {
  ScratchDir dir;
  ReadOptions by_name;
  by_name.target = "x1";
  const Dataset named = read_dataset(dir.file("bom.csv", "\xEF\xBB\xBFx1,x2\n1,2\n3,4\n"), by_name);
  EXPECT_EQ(named.target_name, "x1");
  EXPECT_EQ(named.feature_names, (std::vector<std::string>{"x2"}));
  EXPECT_EQ(named.y, (std::vector<float>{1, 3}));
  // Without a header, the first row is data.
  const Dataset bare = read_dataset(dir.file("bare.csv",
                                             "\xEF\xBB\xBF"
                                             "1,2\n3,4\n"),
                                    {});
  EXPECT_EQ(bare.rows, 2);
  EXPECT_EQ(bare.X, (std::vector<float>{1, 3}));
}

// A header's names go into model files (JSON) and Python's strings: a Latin-1 name of a column
// read is refused as the file is read (the JSON writer threw after training before), a UTF-8
// one read as it is.
TEST(CsvReader, AHeaderNameThatIsNotUtf8IsRefused) {
  ScratchDir dir;
  const std::string latin1 = dir.file("latin1.csv",
                                      "a,Gr\xF6\xDF"
                                      "e,y\n1,2,3\n");
  EXPECT_EQ(read_error(latin1), latin1 +
                                    ": line 1, column 2: the header's name 'Gr\\xf6\\xdfe' is "
                                    "not UTF-8 text (Latin-1 or Windows-1252, say); save the "
                                    "CSV as UTF-8");
  // Data for a model that leaves that column out (predict, evaluate): read, the name unused.
  ReadOptions model;
  model.feature_names = {"a"};
  model.target_name = "y";
  const Dataset left_out = read_dataset(latin1, model);
  EXPECT_EQ(left_out.X, (std::vector<float>{1}));
  EXPECT_EQ(left_out.y, (std::vector<float>{3}));
  const Dataset utf8 = read_dataset(dir.file("utf8.csv",
                                             "a,Gr\xC3\xB6\xC3\x9F"
                                             "e,y\n1,2,3\n"),
                                    {});
  EXPECT_EQ(utf8.feature_names, (std::vector<std::string>{"a",
                                                          "Gr\xC3\xB6\xC3\x9F"
                                                          "e"}));
}

// Messages keep UTF-8 characters and escape every other byte (Python reads them as UTF-8): a
// lone continuation byte, an overlong form, a surrogate, a code point past U+10FFFF, a character
// cut by the end of the text or by the limit.
TEST(QuotedText, KeepsUtf8AndEscapesEveryOtherByte) {
  EXPECT_TRUE(is_utf8("plain, \xC3\xB6 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_EQ(quoted_text("\xC3\xB6\xE2\x82\xAC\xF0\x9F\x98\x80"),
            "'\xC3\xB6\xE2\x82\xAC\xF0\x9F\x98\x80'");
  for (const char* bad : {"\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xF5\x80\x80\x80", "\xC3"}) {
    EXPECT_FALSE(is_utf8(bad)) << quoted_text(bad);
  }
  EXPECT_EQ(quoted_text("\xE0\x80\xAF\n"), "'\\xe0\\x80\\xaf\\n'");
  EXPECT_EQ(quoted_text("ab\xC3\xB6", 3), "'ab\\xc3'... (4 bytes)");
  // Controls past ASCII are escaped too: C1's NEL (U+0085) and the line separator (U+2028).
  EXPECT_EQ(quoted_text("a\xC2\x85"
                        "b\xE2\x80\xA8"
                        "c\xC2\xA0"),
            "'a\\xc2\\x85b\\xe2\\x80\\xa8"
            "c\xC2\xA0'");
}

// UTF-16 text is named as such (it read as "not a number: '\x001\x00'" before).
TEST(CsvReader, Utf16TextIsNamed) {
  ScratchDir dir;
  const std::string d = dir.path().string() + "/";
  // Each as the bytes of its array, the NULs included (not the array's terminating one).
  static const char kLittle[] =
      "\xFF\xFE"
      "a\0,\0y\0\n\0";
  static const char kBig[] = "\xFE\xFF\0a\0,\0y\0\n";
  const std::string little = dir.file("le.csv", std::string(kLittle, sizeof kLittle - 1));
  EXPECT_EQ(read_error(little),
            d + "le.csv: UTF-16 text (its byte-order mark FF FE); save the CSV as UTF-8 or ASCII");
  const std::string big = dir.file("be.csv", std::string(kBig, sizeof kBig - 1));
  EXPECT_EQ(read_error(big),
            d + "be.csv: UTF-16 text (its byte-order mark FE FF); save the CSV as UTF-8 or ASCII");
}

// A stream of binary data (a device that never ends, here) is refused from its first bytes,
// not read into memory without end.
TEST(CsvReader, ABinaryStreamIsRefusedFromItsFirstBytes) {
  EXPECT_EQ(read_error("/dev/zero"),
            "/dev/zero: binary data (a NUL byte at offset 0), not CSV text, gzip or a .npy array");
}

// So is a binary file (a pickle's first bytes, here), rather than parsed into a misleading
// complaint about its columns or line ends.
TEST(CsvReader, ABinaryFileIsRefusedFromItsFirstBytes) {
  ScratchDir dir;
  static const char kPickle[] = "\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00}\x94";
  const std::string pickle = dir.file("model.pkl", std::string(kPickle, sizeof kPickle - 1));
  EXPECT_EQ(read_error(pickle), pickle +
                                    ": binary data (a NUL byte at offset 4), not CSV text, "
                                    "gzip or a .npy array");
}

// So is gzip data that inflates to binary data: a gzip of zeros (8 MiB from 8 KiB) from its
// first inflated bytes, a short one once inflated, with the offset of its first NUL.
TEST(CsvReader, GzipOfBinaryDataIsRefusedFromItsFirstInflatedBytes) {
  ScratchDir dir;
  const std::string d = dir.path().string() + "/";
  ASSERT_EQ(std::system(("head -c 8388608 /dev/zero | gzip -c > '" + d + "zeros.gz'").c_str()), 0);
  EXPECT_EQ(read_error(d + "zeros.gz"), d + "zeros.gz: binary data inflated from gzip (a NUL byte "
                                            "at offset 0), not CSV text or a .npy array");
  // From its first inflated bytes: allowed to inflate to 64 KiB alone, it is still named for
  // its bytes, not for outgrowing them.
  const std::string zeros = testing::read_text(d + "zeros.gz");
  try {
    InputBytes(d + "zeros.gz", std::vector<char>(zeros.begin(), zeros.end()), size_t{1} << 16);
    ADD_FAILURE() << "not refused";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("binary data inflated from gzip"), std::string::npos)
        << error.what();
  }
  ASSERT_EQ(std::system(("printf '1,2\\n3,\\0004\\n' | gzip -c > '" + d + "nul.gz'").c_str()), 0);
  EXPECT_EQ(read_error(d + "nul.gz"), d + "nul.gz: binary data inflated from gzip (a NUL byte at "
                                          "offset 6), not CSV text or a .npy array");
  // Compressed twice: named as such, not read as a CSV of one odd column.
  ASSERT_EQ(std::system(
                ("printf 'a,y\\n1,2\\n3,4\\n' | gzip -c | gzip -c > '" + d + "twice.gz'").c_str()),
            0);
  EXPECT_EQ(read_error(d + "twice.gz"), d + "twice.gz: gzip data inflated from gzip (compressed "
                                            "twice?); gunzip it once and read the file that gives");
}

TEST(CsvReader, AMixedFirstRowIsReadAsDeclared) {
  ScratchDir dir;
  const std::string path = dir.file("m.csv", "1.5,NA,2.0\n1,2,3\n");
  ReadOptions header;
  header.header = HeaderMode::kPresent;
  const Dataset named = read_dataset(path, header);
  EXPECT_EQ(named.feature_names, (std::vector<std::string>{"1.5", "NA"}));
  EXPECT_EQ(named.rows, 1);
}

TEST(CsvReader, ModelFeaturesAreMatchedByNameWhereTheFileHasAHeader) {
  ScratchDir dir;
  // Another order, an extra text column, the target elsewhere.
  const std::string path = dir.file("o.csv", "y,id,b,a\n3,first,2,1\n6,second,5,4\n");
  ReadOptions model;
  model.feature_names = {"a", "b"};
  model.target_name = "y";
  const Dataset data = read_dataset(path, model);
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(data.X, (std::vector<float>{1, 2, 4, 5}));
  EXPECT_EQ(data.y, (std::vector<float>{3, 6}));
  EXPECT_EQ(data.ignored_columns, (std::vector<std::string>{"id"}));
  // Prediction input without the target: it is ignored when absent.
  model.target_name = "price";
  const Dataset no_target = read_dataset(path, model);
  EXPECT_FALSE(no_target.has_target());
  EXPECT_EQ(no_target.ignored_columns, (std::vector<std::string>{"y", "id"}));
  // A missing feature is named.
  model.feature_names = {"a", "c"};
  EXPECT_EQ(read_error(path, model),
            path + ": the header has no column 'c' (the model's features, matched by name: a, c)");
  // Columns the model leaves out may share a name (two unnamed ones: a pandas MultiIndex
  // written by to_csv); one it reads may not.
  model.feature_names = {"a", "b"};
  model.target_name = "y";
  const Dataset indexed = read_dataset(dir.file("m.csv", ",,a,b,y\n0,0,1,2,3\n"), model);
  EXPECT_EQ(indexed.X, (std::vector<float>{1, 2}));
  EXPECT_EQ(indexed.y, (std::vector<float>{3}));
  const std::string twice = dir.file("twice.csv", "a,a,b,y\n1,1,2,3\n");
  EXPECT_EQ(read_error(twice, model), twice + ": duplicate column names in the header: 'a'");
  // A model of data without a header (x0, x1): by position.
  model.feature_names = {"x0", "x1"};
  model.target_name = "y";
  EXPECT_EQ(read_dataset(dir.file("p.csv", "p,q,r\n1,2,3\n"), model).X, (std::vector<float>{1, 2}));
}

TEST(InputFormats, GzipIsInflatedAndNpyKnownByItsBytes) {
  ScratchDir dir;
  const std::string csv = dir.file("d.csv", "a,b,y\n1,2,3\n4,5,6\n");
  ASSERT_EQ(std::system(("gzip -c '" + csv + "' > '" + csv + ".gz'").c_str()), 0);
  const Dataset plain = read_dataset(csv, {});
  const Dataset inflated = read_dataset(csv + ".gz", {});
  EXPECT_EQ(inflated.X, plain.X);
  EXPECT_EQ(inflated.y, plain.y);
  EXPECT_EQ(inflated.feature_names, plain.feature_names);
  // Two gzip members, one after the other, are one file (as gzip itself reads them).
  ASSERT_EQ(std::system(("printf '7,8,9\\n' | gzip -c >> '" + csv + ".gz'").c_str()), 0);
  EXPECT_EQ(read_dataset(csv + ".gz", {}).rows, 3);
  const std::string npy = testing::npy_bytes({"<f4", false, {2, 2}}, {1, 2, 3, 4});
  EXPECT_EQ(read_dataset(dir.file("X.dat", npy), {}).y, (std::vector<float>{2, 4}));
  EXPECT_EQ(read_dataset(dir.file("X.NPY", npy), {}).y, (std::vector<float>{2, 4}));
  const std::string npy_gz = dir.file("X.npy", npy);
  ASSERT_EQ(std::system(("gzip '" + npy_gz + "'").c_str()), 0);
  EXPECT_EQ(read_dataset(npy_gz + ".gz", {}).y, (std::vector<float>{2, 4}));
}

TEST(InputFormats, ZipAndDamagedGzipAreRefused) {
  ScratchDir dir;
  const std::string d = dir.path().string() + "/";
  EXPECT_EQ(read_error(dir.file("a.npz", std::string("PK\x03\x04") + "rest of a zip")),
            d + "a.npz: a zip archive (an .npz?); linsgd reads .npy and CSV: save the arrays "
                "with numpy.save(\"X.npy\", X) and numpy.save(\"y.npy\", y), and pass --data "
                "X.npy --labels y.npy");
  const std::string csv = dir.file("d.csv", std::string(1000, '1') + ",2\n3,4\n");
  ASSERT_EQ(std::system(("gzip '" + csv + "'").c_str()), 0);
  std::string gz = testing::read_text(csv + ".gz");
  gz.resize(gz.size() / 2);
  EXPECT_EQ(read_error(dir.file("cut.csv.gz", gz)),
            d + "cut.csv.gz: damaged or truncated gzip data");
}

TEST(CsvReader, SeveralThreadsReadTheSameRowsAndReportTheSameFirstError) {
  ScratchDir dir;
  std::string text = "a,b,y\n";
  for (int i = 0; i < 1000; ++i) {
    text += std::to_string(i) + "," + std::to_string(i * 0.5) + "," + std::to_string(-i) + "\n";
    if (i % 97 == 0) text += "\n";  // blank lines shift the line numbers
  }
  const auto path = dir.file("many.csv", text);
  ReadOptions one, five;
  one.parse_threads = 1;
  five.parse_threads = 5;
  const Dataset a = read_dataset(path, one);
  const Dataset b = read_dataset(path, five);
  EXPECT_EQ(a.rows, 1000);
  EXPECT_EQ(a.X, b.X);
  EXPECT_EQ(a.y, b.y);
  EXPECT_EQ(b.X[2 * 999], 999.0f);

  // Two bad cells late in the file: both readers name the first one, at its true line.
  std::string bad = text;
  bad.insert(bad.rfind("900,"), "oops,1,2\n");
  bad.insert(bad.rfind("950,"), "1,2\n");
  const auto bad_path = dir.file("bad.csv", bad);
  const std::string expected = read_error(bad_path, one);
  EXPECT_NE(expected.find("not a number: 'oops'"), std::string::npos) << expected;
  EXPECT_EQ(read_error(bad_path, five), expected);
  // Quotes anywhere: one thread (a quoted field may hold a newline), same result.
  const auto quoted = dir.file("quoted.csv", text + "\"1\",2,3\n");
  EXPECT_EQ(read_dataset(quoted, five).rows, 1001);
}

std::string write_npy(const ScratchDir& dir, const std::string& name, const testing::NpySpec& spec,
                      const std::vector<double>& values) {
  return dir.file(name, testing::npy_bytes(spec, values));
}

TEST(NpyReader, ReadsFloat32AndFloat64WithTheTargetColumn) {
  ScratchDir dir;
  const std::vector<double> values{1, 2, 3, 4, 5, 6};
  for (const char* descr : {"<f4", "<f8"}) {
    const Dataset data = read_dataset(write_npy(dir, "a.npy", {descr, false, {2, 3}}, values), {});
    EXPECT_EQ(data.rows, 2) << descr;
    EXPECT_EQ(data.X, (std::vector<float>{1, 2, 4, 5})) << descr;
    EXPECT_EQ(data.y, (std::vector<float>{3, 6})) << descr;
  }
}

TEST(NpyReader, SplitsTargetAndWeightColumnsAnywhereAndNamesTheFileRowOfANonFiniteValue) {
  ScratchDir dir;
  const std::string d = dir.path().string() + "/";
  // 4 rows of 5 columns: the target in column 1, the weights in column 3, features around them.
  std::vector<double> values;
  for (int i = 0; i < 4; ++i) {
    for (int c = 0; c < 5; ++c) values.push_back(10 * i + c + 0.5);
  }
  ReadOptions options;
  options.target = "1";
  options.sample_weight = "3";
  for (const char* descr : {"<f4", "<f8"}) {
    const Dataset data =
        read_dataset(write_npy(dir, "a.npy", {descr, false, {4, 5}}, values), options);
    EXPECT_EQ(data.features, 3) << descr;
    EXPECT_EQ(data.X, (std::vector<float>{0.5, 2.5, 4.5, 10.5, 12.5, 14.5, 20.5, 22.5, 24.5, 30.5,
                                          32.5, 34.5}))
        << descr;
    EXPECT_EQ(data.y, (std::vector<float>{1.5, 11.5, 21.5, 31.5})) << descr;
    EXPECT_EQ(data.sample_weights, (std::vector<float>{3.5, 13.5, 23.5, 33.5})) << descr;
    // The second half of the rows (a data-parallel process's share): rows 2 and 3 of the file.
    ReadOptions half = options;
    half.share = RowShare{1, 2};
    const Dataset share = read_dataset(d + "a.npy", half);
    EXPECT_EQ(share.first_row, 2) << descr;
    EXPECT_EQ(share.X, (std::vector<float>{20.5, 22.5, 24.5, 30.5, 32.5, 34.5})) << descr;
    EXPECT_EQ(share.y, (std::vector<float>{21.5, 31.5})) << descr;
  }
  // Past float's range in the file's row 3, column 4 (a feature); then in the target column.
  values[3 * 5 + 4] = 1e39;
  ReadOptions half = options;
  half.share = RowShare{1, 2};
  EXPECT_EQ(read_error(write_npy(dir, "big.npy", {"<f8", false, {4, 5}}, values), half),
            d + "big.npy: row 3, column 4 (counted from 0): non-finite value (NaN, Inf or beyond "
                "float range)");
  values[3 * 5 + 4] = 1;
  values[2 * 5 + 1] = NAN;
  EXPECT_EQ(read_error(write_npy(dir, "nan.npy", {"<f4", false, {4, 5}}, values), options),
            d + "nan.npy: row 2, column 1 (counted from 0): non-finite value (NaN, Inf or beyond "
                "float range)");
}

TEST(NpyReader, ReadsLabelsFromASeparateFile) {
  ScratchDir dir;
  ReadOptions options;
  options.labels = write_npy(dir, "y.npy", {"<f8", false, {2}}, {7, 8});
  const Dataset data =
      read_dataset(write_npy(dir, "X.npy", {"<f4", false, {2, 2}}, {1, 2, 3, 4}), options);
  EXPECT_EQ(data.features, 2);
  EXPECT_EQ(data.X, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(data.y, (std::vector<float>{7, 8}));
  {
    // For a model trained with its target in column 0, X's columns are still all features: the
    // targets are the labels' (evaluate then refuses the extra column), not X's column 0.
    ReadOptions for_model = options;
    for_model.feature_names = {"x0", "x1"};  // the model's two features and its target column
    for_model.target_column = 0;
    const Dataset all_features = read_dataset(
        write_npy(dir, "X3.npy", {"<f4", false, {2, 3}}, {1, 2, 3, 4, 5, 6}), for_model);
    EXPECT_EQ(all_features.features, 3);
    EXPECT_EQ(all_features.X, (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(all_features.y, (std::vector<float>{7, 8}));
  }
  // A --sample-weight column of X is taken out of the features, wherever it stands.
  struct Case {
    const char* column;
    std::vector<float> weights, X;
  };
  const std::string weighted_file =
      write_npy(dir, "Xw.npy", {"<f4", false, {2, 3}}, {1, 0.5, 2, 3, 1.5, 4});
  for (const Case& c : {Case{"0", {1, 3}, {0.5, 2, 1.5, 4}}, Case{"1", {0.5, 1.5}, {1, 2, 3, 4}},
                        Case{"-1", {2, 4}, {1, 0.5, 3, 1.5}}}) {
    options.sample_weight = c.column;
    const Dataset weighted = read_dataset(weighted_file, options);
    EXPECT_EQ(weighted.features, 2) << c.column;
    EXPECT_EQ(weighted.sample_weights, c.weights) << c.column;
    EXPECT_EQ(weighted.X, c.X) << c.column;
    EXPECT_EQ(weighted.y, (std::vector<float>{7, 8})) << c.column;
  }
}

TEST(NpyReader, NamesEachProblem) {
  ScratchDir dir;
  const std::string d = dir.path().string() + "/";
  EXPECT_EQ(read_error(write_npy(dir, "i.npy", {"<i8", false, {2, 2}}, {1, 2, 3, 4})),
            d + "i.npy: unsupported dtype '<i8' (linsgd reads little-endian float32 '<f4' or "
                "float64 '<f8')");
  testing::NpySpec structured{"[('a', '<f4'), ('b', '<f8')]", false, {2}};
  structured.quoted_descr = false;
  EXPECT_EQ(read_error(write_npy(dir, "s.npy", structured, {})),
            d + "s.npy: unsupported dtype [('a', '<f4'), ('b', '<f8')] (linsgd reads " +
                "little-endian float32 '<f4' or float64 '<f8')");
  EXPECT_EQ(read_error(write_npy(dir, "r.npy", {"<f4", false, {4}}, {1, 2, 3, 4})),
            d + "r.npy: expected a 2-D array (rows x columns), found shape (4,)");
  // No payload at all (under AddressSanitizer this once met memcpy of a null pointer).
  EXPECT_EQ(read_error(write_npy(dir, "e.npy", {"<f4", false, {0, 2}}, {})),
            d + "e.npy: the array is empty");
  EXPECT_EQ(read_error(write_npy(dir, "f.npy", {"<f4", true, {2, 2}}, {1, 2, 3, 4})),
            d + "f.npy: Fortran-order array; save it in C order (np.ascontiguousarray)");
  // A flag that is not Python's True or False, or a key written twice (NumPy takes the last):
  // refused, not read in one of two memory orders.
  for (const std::string flag : {"Maybe", "true", "'True'", "TrueX"}) {
    testing::NpySpec odd{"<f4", false, {2, 2}};
    odd.fortran_order_text = flag;
    EXPECT_EQ(read_error(write_npy(dir, "o.npy", odd, {1, 2, 3, 4})),
              d + "o.npy: .npy header's 'fortran_order' is " + flag + " (must be True or False)");
  }
  testing::NpySpec twice{"<f4", false, {2, 2}};
  twice.extra_entries = ", 'fortran_order': True";
  EXPECT_EQ(read_error(write_npy(dir, "2.npy", twice, {1, 2, 3, 4})),
            d + "2.npy: .npy header has the 'fortran_order' entry twice");
  EXPECT_EQ(
      read_error(write_npy(dir, "t.npy", {"<f4", false, {2, 2}, 3}, {1, 2, 3, 4})),
      d + "t.npy: truncated .npy payload: the shape needs 16 bytes of data, the file holds 13");
  // More data than the shape: a header that undercounts the rows is not read as half the data.
  EXPECT_EQ(read_error(write_npy(dir, "x.npy", {"<f4", false, {2, 2}}, {1, 2, 3, 4, 5, 6})),
            d + "x.npy: 8 bytes after the .npy data: the shape in its header needs 16 bytes, the "
                "file holds 24 (one array a file, as np.save writes it)");
  EXPECT_EQ(read_error(write_npy(dir, "h.npy", {"<f4", false, {int64_t{1} << 62, 2}}, {1, 2})),
            d + "h.npy: .npy shape has a dimension of more than 15 digits");
  EXPECT_EQ(read_error(dir.file("n.npy", "not numpy at all")),
            d + "n.npy: not a .npy file (no \\x93NUMPY magic)");
  EXPECT_EQ(read_error(write_npy(dir, "nan.npy", {"<f8", false, {2, 2}}, {1, NAN, 3, 4})),
            d + "nan.npy: row 0, column 1 (counted from 0): non-finite value (NaN, Inf or beyond "
                "float range)");
  ReadOptions options;
  options.labels = write_npy(dir, "y3.npy", {"<f4", false, {3}}, {1, 2, 3});
  EXPECT_EQ(read_error(write_npy(dir, "X2.npy", {"<f4", false, {2, 2}}, {1, 2, 3, 4}), options),
            d + "y3.npy: 3 targets, but " + d + "X2.npy has 2 rows");
  // A 1-D array's value is named by its row alone.
  options.labels = write_npy(dir, "ynan.npy", {"<f8", false, {2}}, {1, NAN});
  EXPECT_EQ(read_error(write_npy(dir, "X22.npy", {"<f4", false, {2, 2}}, {1, 2, 3, 4}), options),
            d + "ynan.npy: row 1 (counted from 0): non-finite value (NaN, Inf or beyond float "
                "range)");
}

}  // namespace
}  // namespace linsgd
