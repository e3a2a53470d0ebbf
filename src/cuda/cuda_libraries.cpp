// cublas_library() and cusolver_library(): dlopen by soname (the major version built with), by
// the loader, else in the build's directory; each function found by the name its header's macro
// gives it.
#include "cuda/cuda_libraries.hpp"

#include <string>

#include "cuda/shared_library.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

// The symbol a header's name stands for, as text: cublasSgemv is a macro for cublasSgemv_v2.
#define LINSGD_SYMBOL_TEXT_(name) #name
#define LINSGD_SYMBOL_TEXT(name) LINSGD_SYMBOL_TEXT_(name)

class Loader {
 public:
  // `library`: its name in messages; then its soname, looked for by the loader, then in the
  // build's directory: the major version built with either way (sonames carry it).
  Loader(const char* library, const std::string& soname, const std::string& built_in)
      : library_(library) {
    std::string failures;
    const std::string in_build = built_in + "/" + soname;
    handle_ = open_first_library({soname.c_str(), in_build.c_str()}, failures);
    if (handle_ == nullptr) {
      throw Error(library_ + " could not be loaded (" + failures +
                  "): install the CUDA toolkit's libraries or add their directory to "
                  "LD_LIBRARY_PATH; --device cpu trains without them");
    }
  }

  template <typename Function>
  void find(const char* name, Function& function) const {
    function = find_function<Function>(handle_, name);
    if (function == nullptr) {
      dlclose(handle_);  // (a later call opens it again)
      throw Error(library_ + ": the library loaded has no " + name);
    }
  }

 private:
  std::string library_;
  void* handle_ = nullptr;
};

CublasLibrary load_cublas() {
  const Loader loader("cuBLAS", "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR),
                      LINSGD_CUBLAS_DIRECTORY);
  CublasLibrary library;
  loader.find(LINSGD_SYMBOL_TEXT(cublasCreate), library.create);
  loader.find(LINSGD_SYMBOL_TEXT(cublasDestroy), library.destroy);
  loader.find(LINSGD_SYMBOL_TEXT(cublasSetStream), library.set_stream);
  loader.find(LINSGD_SYMBOL_TEXT(cublasSetWorkspace), library.set_workspace);
  loader.find(LINSGD_SYMBOL_TEXT(cublasSetPointerMode), library.set_pointer_mode);
  loader.find(LINSGD_SYMBOL_TEXT(cublasSgemv), library.sgemv);
  loader.find(LINSGD_SYMBOL_TEXT(cublasDgemv), library.dgemv);
  loader.find(LINSGD_SYMBOL_TEXT(cublasDsyrk), library.dsyrk);
  return library;
}

CusolverLibrary load_cusolver() {
  const Loader loader("cuSOLVER", "libcusolver.so." + std::to_string(CUSOLVER_VER_MAJOR),
                      LINSGD_CUSOLVER_DIRECTORY);
  CusolverLibrary library;
  loader.find(LINSGD_SYMBOL_TEXT(cusolverDnCreate), library.create);
  loader.find(LINSGD_SYMBOL_TEXT(cusolverDnDestroy), library.destroy);
  loader.find(LINSGD_SYMBOL_TEXT(cusolverDnSetStream), library.set_stream);
  loader.find(LINSGD_SYMBOL_TEXT(cusolverDnDpotrf_bufferSize), library.dpotrf_buffer_size);
  loader.find(LINSGD_SYMBOL_TEXT(cusolverDnDpotrf), library.dpotrf);
  loader.find(LINSGD_SYMBOL_TEXT(cusolverDnDpotrs), library.dpotrs);
  return library;
}

}  // namespace

// A static's initialization runs once even with threads racing; one that throws runs again on
// the next call.
const CublasLibrary& cublas_library() {
  static const CublasLibrary library = load_cublas();
  return library;
}

const CusolverLibrary& cusolver_library() {
  static const CusolverLibrary library = load_cusolver();
  return library;
}

}  // namespace linsgd
