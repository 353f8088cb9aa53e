#include <diskimg/core/error.hpp>
#include <diskimg/core/size.hpp>

#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace diskimg {

std::uint64_t parse_size(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end == text.data()) throw UsageError(fmt::format("size \"{}\" is not a number", text));
  if (error == std::errc::result_out_of_range) throw UsageError(fmt::format("size \"{}\" is too large", text));
  const std::string_view suffix = text.substr(static_cast<std::size_t>(end - text.data()));
  unsigned shift = 0;
  if (suffix == "K" || suffix == "k") shift = 10;
  else if (suffix == "M" || suffix == "m") shift = 20;
  else if (suffix == "G" || suffix == "g") shift = 30;
  else if (suffix == "T" || suffix == "t") shift = 40;
  else if (!suffix.empty()) throw UsageError(fmt::format("size \"{}\": use bytes or a K, M, G or T suffix", text));
  if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
    throw UsageError(fmt::format("size \"{}\" is too large", text));
  }
  return value << shift;
}

}  // namespace diskimg
