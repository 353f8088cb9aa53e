#include "core/enum_names.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vhdx/vhdx.hpp>

#include <fmt/format.h>

namespace diskimg::vhdx {
namespace {

constexpr std::array<EnumName<VhdxType>, 3> type_names{{
    {VhdxType::fixed, "vhdx-fixed"}, {VhdxType::dynamic, "vhdx-dynamic"}, {VhdxType::differencing, "vhdx-differencing"}}};

}  // namespace

std::string_view to_string(VhdxType type) { return name_of(type_names, type); }

VhdxType parse_vhdx_type(std::string_view text) {
  if (const std::optional<VhdxType> type = value_named(type_names, text)) return *type;
  throw UsageError(fmt::format("VHDX format \"{}\": use {}", text, names_listed(type_names)));
}

std::optional<std::string> MetadataInfo::locator(std::string_view key) const {
  for (const auto& [name, value] : parent_locator) {
    if (name == key) return value;
  }
  return std::nullopt;
}

}  // namespace diskimg::vhdx
