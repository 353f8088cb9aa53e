// What a VHDX reader finds wrong: fatal (the file cannot be read right) or not (a warning),
// with the structure and its offset. check_vhdx reports them all.
#pragma once

#include <diskimg/core/error.hpp>

#include <string>

namespace diskimg::vhdx {

struct Problem {
  bool fatal = false;
  std::string message;
  Location where;
};

}  // namespace diskimg::vhdx
