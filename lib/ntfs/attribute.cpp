#include "core/enum_names.hpp"

#include <diskimg/ntfs/attribute.hpp>

#include <fmt/format.h>

namespace diskimg::ntfs {

namespace {

// Any number may appear on disk; the table names the types NTFS defines.
constexpr std::array<EnumName<AttributeType>, 15> attribute_type_names{{
    {AttributeType::standard_information, "$STANDARD_INFORMATION"},
    {AttributeType::attribute_list, "$ATTRIBUTE_LIST"},
    {AttributeType::file_name, "$FILE_NAME"},
    {AttributeType::object_id, "$OBJECT_ID"},
    {AttributeType::security_descriptor, "$SECURITY_DESCRIPTOR"},
    {AttributeType::volume_name, "$VOLUME_NAME"},
    {AttributeType::volume_information, "$VOLUME_INFORMATION"},
    {AttributeType::data, "$DATA"},
    {AttributeType::index_root, "$INDEX_ROOT"},
    {AttributeType::index_allocation, "$INDEX_ALLOCATION"},
    {AttributeType::bitmap, "$BITMAP"},
    {AttributeType::reparse_point, "$REPARSE_POINT"},
    {AttributeType::ea_information, "$EA_INFORMATION"},
    {AttributeType::ea, "$EA"},
    {AttributeType::logged_utility_stream, "$LOGGED_UTILITY_STREAM"}}};

}  // namespace

std::vector<std::string_view> Attribute::flag_names() const {
  std::vector<std::string_view> names;
  if (compressed()) names.emplace_back("compressed");
  if (sparse()) names.emplace_back("sparse");
  if (encrypted()) names.emplace_back("encrypted");
  return names;
}

std::string attribute_type_name(AttributeType type) {
  if (const auto name = name_in(attribute_type_names, type)) return std::string(*name);
  return fmt::format("{:#x}", type_code(type));  // an unknown type, by its number
}

}  // namespace diskimg::ntfs
