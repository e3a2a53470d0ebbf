// The progress line's rules, fed made-up progress (no run has to last a second): nothing while
// disabled or before a second has passed, a line redrawn in place at most four times a second
// (and always at the last step), ended by a newline.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/progress_line.hpp"

namespace linsgd::cli {
namespace {

// A temporary file the line is drawn on, read back whole.
class Screen {
 public:
  Screen() : file_(std::tmpfile(), &std::fclose) {}
  std::FILE* file() const { return file_.get(); }
  std::string text() const {
    std::fflush(file_.get());
    std::rewind(file_.get());
    std::string text;
    for (int c = std::fgetc(file_.get()); c != EOF; c = std::fgetc(file_.get())) {
      text += static_cast<char>(c);
    }
    return text;
  }

 private:
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
};

TEST(ProgressLine, DisabledGivesNoCallback) {
  Screen screen;
  ProgressLine line(false, screen.file());
  EXPECT_FALSE(static_cast<bool>(line.callback()));
}

TEST(ProgressLine, DrawsAfterASecondAtMostFourTimesASecondAndAtTheEnd) {
  Screen screen;
  {
    ProgressLine line(true, screen.file());
    const ProgressCallback draw = line.callback();
    ASSERT_TRUE(static_cast<bool>(draw));
    draw({1000, 8000, 0.5, 0.25f});  // before a second: nothing
    EXPECT_EQ(screen.text(), "");
    draw({2000, 8000, 1.0, 0.125f});  // 2000 steps/s, 3 s to go
    EXPECT_EQ(screen.text(), "\rstep 2000/8000  2000 steps/s  loss 0.125  ETA 3 s   ");
    draw({2200, 8000, 1.1, 0.1f});  // 0.1 s later: not redrawn
    draw({3000, 8000, 1.5, 0.0625f});
    draw({8000, 8000, 1.6, 0.03125f});  // the last step is always drawn
  }
  EXPECT_EQ(screen.text(),
            "\rstep 2000/8000  2000 steps/s  loss 0.125  ETA 3 s   "
            "\rstep 3000/8000  2000 steps/s  loss 0.0625  ETA 2 s   "
            "\rstep 8000/8000  5000 steps/s  loss 0.03125  ETA 0 s   \n");
}

TEST(ProgressLine, ShortRunsLeaveNoTrace) {
  Screen screen;
  {
    ProgressLine line(true, screen.file());
    line.callback()({10, 10, 0.01, 0.5f});
  }
  EXPECT_EQ(screen.text(), "");
}

}  // namespace
}  // namespace linsgd::cli
