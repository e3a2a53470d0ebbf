// The linsgd._core extension module: training, prediction and the model file, over the same
// library the command line uses. linsgd's exceptions become Python's: ValueError for bad options
// and bad data (the command line's exit code 2), RuntimeError for everything else (a diverged
// run, a CUDA failure), with the command line's messages (which the estimator respells in its
// parameters' names).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "linsgd/version.hpp"
#include "model_io.hpp"
#include "training.hpp"

namespace nb = nanobind;

NB_MODULE(_core, module) {
  nb::register_exception_translator([](const std::exception_ptr& exception, void*) {
    try {
      std::rethrow_exception(exception);
    } catch (const linsgd::UsageError& error) {
      PyErr_SetString(PyExc_ValueError, error.what());
    } catch (const linsgd::InputError& error) {
      PyErr_SetString(PyExc_ValueError, error.what());
    } catch (const linsgd::Error& error) {
      PyErr_SetString(PyExc_RuntimeError, error.what());
    }
  });
  module.doc() = "linsgd's C++ core: mini-batch SGD for linear models on the CPU and on CUDA GPUs";
  module.def("cuda_available", &linsgd::cuda_device_available,
             "True when a usable CUDA GPU is present.");
  module.attr("__version__") = linsgd::version();
  module.def("cpu_blas_description", &linsgd::cpu_blas_description,
             "The CPU BLAS and the kernels it picked for this CPU.");
  module.def("cpu_blas_kernels_to_force", &linsgd::cpu_blas_kernels_to_force,
             "The OPENBLAS_CORETYPE that would pick the kernels this CPU calls for, where OpenBLAS "
             "picked others; empty where its pick stands (linsgd._blas_kernels sets it before "
             "the core loads).");
  linsgd::python::bind_training(module);
  linsgd::python::bind_model_io(module);
}
