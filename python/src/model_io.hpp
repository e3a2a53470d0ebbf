// linsgd._core's model functions: predict on host arrays, and the model file (the command
// line's JSON format) written and read.
#pragma once

#include <nanobind/nanobind.h>

namespace linsgd::python {

void bind_model_io(nanobind::module_& module);

}  // namespace linsgd::python
