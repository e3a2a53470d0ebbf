// The temporary files linsgd is writing (an output before its rename, the report's PNG before it
// is read back), registered so that a signal handler can remove them: the registry is a fixed
// table of paths that remove_registered_temporary_files() walks with unlink() alone, which is
// safe to call from a signal handler.
#pragma once

#include <string>

namespace linsgd {

// Registers `path`; returns its slot, or -1 when the table is full or the path too long (the
// file is then still removed by its owner, just not by a signal handler).
int register_temporary_file(const std::string& path);

// Forgets a slot from register_temporary_file (-1 is ignored).
void unregister_temporary_file(int slot) noexcept;

// Unlinks every registered file. Async-signal-safe.
void remove_registered_temporary_files() noexcept;

}  // namespace linsgd
