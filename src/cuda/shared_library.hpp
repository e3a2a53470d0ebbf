// open_first_library and find_function: dlopen and dlsym for the CUDA libraries linsgd loads
// when a run first needs them instead of linking them (cuda_libraries.hpp and nccl_library.hpp
// say why).
#pragma once

#include <dlfcn.h>

#include <initializer_list>
#include <string>

namespace linsgd {

// The handle of the first of `names` the dynamic loader opens (RTLD_NOW | RTLD_LOCAL: the
// library's symbols serve the calls found in it and nothing else in the process), or nullptr,
// with each failure's dlerror() appended to `failures` ("; " between them). A bare name is
// looked for as the loader does (a copy already loaded, LD_LIBRARY_PATH, its cache, the
// caller's RUNPATH); a path is opened as it stands. The handle stays open for the process's
// life.
inline void* open_first_library(std::initializer_list<const char*> names, std::string& failures) {
  for (const char* name : names) {
    if (void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)) return handle;
    const char* error = dlerror();
    failures += std::string(failures.empty() ? "" : "; ") + (error != nullptr ? error : name);
  }
  return nullptr;
}

// The function `name` of the library `handle`, as `Function` (typed from the library's header),
// or nullptr when it has none.
template <typename Function>
Function find_function(void* handle, const char* name) {
  return reinterpret_cast<Function>(dlsym(handle, name));
}

}  // namespace linsgd
