// Size arithmetic on numbers read from disk, where any value up to 2^64 - 1 may appear:
// nothing here wraps. A result that does not fit is empty, for the caller to refuse.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

namespace diskimg {

// value / unit rounded up, for any value (the usual (value + unit - 1) / unit wraps near
// 2^64 and gives 0). `unit` must not be 0.
constexpr std::uint64_t ceil_div(std::uint64_t value, std::uint64_t unit) {
  return value / unit + (value % unit != 0 ? 1 : 0);
}

constexpr std::optional<std::uint64_t> checked_add(std::uint64_t a, std::uint64_t b) {
  if (a > std::numeric_limits<std::uint64_t>::max() - b) return std::nullopt;
  return a + b;
}

constexpr std::optional<std::uint64_t> checked_multiply(std::uint64_t a, std::uint64_t b) {
  if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b) return std::nullopt;
  return a * b;
}

// `value` rounded up to a multiple of `unit`, if that fits.
constexpr std::optional<std::uint64_t> checked_round_up(std::uint64_t value, std::uint64_t unit) {
  return checked_multiply(ceil_div(value, unit), unit);
}

}  // namespace diskimg
