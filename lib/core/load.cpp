#include "core/load.hpp"

#include <fmt/format.h>

namespace diskimg::detail {

void throw_structure_does_not_fit(std::string_view what, std::size_t structure_size,
                                  std::size_t offset, std::size_t available) {
  throw FormatError(fmt::format("{} of {} bytes at offset {} does not fit in {} bytes", what,
                                structure_size, offset, available));
}

}  // namespace diskimg::detail
