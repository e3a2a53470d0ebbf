// linsgd._core.train: one call into the C++ trainer on the caller's arrays.
#pragma once

#include <nanobind/nanobind.h>

namespace linsgd::python {

void bind_training(nanobind::module_& module);

}  // namespace linsgd::python
