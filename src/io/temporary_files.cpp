// The registry of temporary files: slots of fixed-size path buffers, each claimed and released
// through an atomic state, so the signal handler never sees a half-written path.
#include "io/temporary_files.hpp"

#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstring>

namespace linsgd {
namespace {

constexpr int kSlots = 32;
enum SlotState : int { kFree = 0, kFilling = 1, kRegistered = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler reads the states");

Slot slots[kSlots];

}  // namespace

int register_temporary_file(const std::string& path) {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (slots[i].state.compare_exchange_strong(expected, kFilling)) {
      std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
      slots[i].state.store(kRegistered);
      return i;
    }
  }
  return -1;
}

void unregister_temporary_file(int slot) noexcept {
  if (slot >= 0 && slot < kSlots) slots[slot].state.store(kFree);
}

void remove_registered_temporary_files() noexcept {
  for (Slot& slot : slots) {
    if (slot.state.load() == kRegistered) ::unlink(slot.path);
  }
}

}  // namespace linsgd
