// Names of enum values, one table per enum: the to_string and parse functions of every
// layer look values up here instead of each writing its own switch.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace diskimg {

template <class Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

// The name of `value` in `table`, if it has one.
template <class Enum, std::size_t N>
constexpr std::optional<std::string_view> name_in(const std::array<EnumName<Enum>, N>& table,
                                                  Enum value) {
  for (const EnumName<Enum>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return std::nullopt;
}

// The name of `value` in `table`; `fallback` for a value the table lacks (a value cast
// from bytes on disk).
template <class Enum, std::size_t N>
constexpr std::string_view name_of(const std::array<EnumName<Enum>, N>& table, Enum value,
                                   std::string_view fallback = "unknown") {
  return name_in(table, value).value_or(fallback);
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

// Every name in `table`, in its order, for a message: "a, b or c".
template <class Enum, std::size_t N>
std::string names_listed(const std::array<EnumName<Enum>, N>& table) {
  std::string list;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) list += i + 1 == N ? " or " : ", ";
    list += table[i].name;
  }
  return list;
}

}  // namespace diskimg
