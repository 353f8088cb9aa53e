#include "format.hpp"

#include <diskimg/core/error.hpp>

#include <array>
#include <cctype>
#include <limits>

#include <fmt/format.h>

namespace diskimg::tool {

std::string human_size(std::uint64_t bytes) {
  constexpr std::array<const char*, 6> units{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < units.size()) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace diskimg::tool

namespace diskimg::tool {

std::uint64_t parse_size(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string suffix = text.substr(digits);
  unsigned shift = 0;
  if (suffix == "K" || suffix == "k") shift = 10;
  else if (suffix == "M" || suffix == "m") shift = 20;
  else if (suffix == "G" || suffix == "g") shift = 30;
  else if (suffix == "T" || suffix == "t") shift = 40;
  else if (!suffix.empty()) throw UsageError("size \"" + text + "\": use bytes or a K, M, G or T suffix");
  if (digits == 0 || digits > 19) throw UsageError("size \"" + text + "\" is not a number");
  const std::uint64_t value = std::stoull(text.substr(0, digits));
  if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
    throw UsageError("size \"" + text + "\" is too large");
  }
  return value << shift;
}

}  // namespace diskimg::tool
