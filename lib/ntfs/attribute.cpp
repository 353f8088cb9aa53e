#include "core/enum_names.hpp"

#include <diskimg/ntfs/attribute.hpp>

#include <fmt/format.h>

namespace diskimg::ntfs {

namespace {

// Attribute types are numbers on disk, where any value may appear, not an enum; the table
// names those that attribute.hpp lists.
constexpr std::array<EnumName<std::uint32_t>, 15> attribute_type_names{{
    {attribute_type::standard_information, "$STANDARD_INFORMATION"},
    {attribute_type::attribute_list, "$ATTRIBUTE_LIST"},
    {attribute_type::file_name, "$FILE_NAME"},
    {attribute_type::object_id, "$OBJECT_ID"},
    {attribute_type::security_descriptor, "$SECURITY_DESCRIPTOR"},
    {attribute_type::volume_name, "$VOLUME_NAME"},
    {attribute_type::volume_information, "$VOLUME_INFORMATION"},
    {attribute_type::data, "$DATA"},
    {attribute_type::index_root, "$INDEX_ROOT"},
    {attribute_type::index_allocation, "$INDEX_ALLOCATION"},
    {attribute_type::bitmap, "$BITMAP"},
    {attribute_type::reparse_point, "$REPARSE_POINT"},
    {attribute_type::ea_information, "$EA_INFORMATION"},
    {attribute_type::ea, "$EA"},
    {attribute_type::logged_utility_stream, "$LOGGED_UTILITY_STREAM"}}};

}  // namespace

std::string attribute_type_name(std::uint32_t type) {
  if (const auto name = name_in(attribute_type_names, type)) return std::string(*name);
  return fmt::format("{:#x}", type);  // an unknown type, by its number
}

}  // namespace diskimg::ntfs
