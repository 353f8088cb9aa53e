#include "core/allocate.hpp"

#include <fmt/format.h>

namespace diskimg::detail {

void throw_out_of_memory(std::string_view what, std::uint64_t bytes, const Location& where) {
  throw OutOfMemoryError(fmt::format("{}: cannot allocate {} bytes (out of memory)", what, bytes), where);
}

}  // namespace diskimg::detail
