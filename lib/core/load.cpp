#include "core/load.hpp"

#include <fmt/format.h>

namespace diskimg::detail {

void throw_structure_does_not_fit(std::string_view what, std::size_t structure_size,
                                  std::size_t offset, std::size_t available) {
  // The offset is within the bytes given, not the source: callers that know where those lie
  // (a record, a header on the disk) wrap this with their own location.
  throw FormatError(fmt::format("{} of {} bytes at offset {} does not fit in {} bytes", what,
                                structure_size, offset, available),
                    Location{std::string(what), std::nullopt});
}

}  // namespace diskimg::detail
