// Names of enum values, one table per enum: the to_string and parse functions of every
// layer look values up here instead of each writing its own switch.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace diskimg {

template <class Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

// The name of `value` in `table`; `fallback` for a value the table lacks (a value cast
// from bytes on disk).
template <class Enum, std::size_t N>
constexpr std::string_view name_of(const std::array<EnumName<Enum>, N>& table, Enum value,
                                   std::string_view fallback = "unknown") {
  for (const EnumName<Enum>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return fallback;
}

// The value named `name` in `table`, if any.
template <class Enum, std::size_t N>
constexpr std::optional<Enum> value_named(const std::array<EnumName<Enum>, N>& table,
                                          std::string_view name) {
  for (const EnumName<Enum>& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

}  // namespace diskimg
