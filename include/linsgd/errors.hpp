// The exceptions linsgd throws. Library code never exits: it throws one of these, and the
// command line maps UsageError and InputError to exit code 2 and every other error to 1.
#pragma once

#include <stdexcept>
#include <string>

namespace linsgd {

// Any failure; exit code 1 (a CUDA, cuBLAS or cuRAND call failing, a divergent run, ...).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad option or option value, or a request the machine cannot serve (--device cuda without a
// GPU); exit code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

// Bad input data or a dataset that does not fit; exit code 2.
class InputError : public Error {
 public:
  using Error::Error;
};

}  // namespace linsgd
