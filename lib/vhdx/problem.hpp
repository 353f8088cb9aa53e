// What a VHDX reader finds wrong: fatal (the file cannot be read right) or not (a warning),
// with the structure and its offset. check_vhdx reports them all.
#pragma once

#include "core/problem.hpp"

namespace diskimg::vhdx {

using diskimg::Problem;

}  // namespace diskimg::vhdx
