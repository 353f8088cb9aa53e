#include <diskimg/ntfs/attribute.hpp>

#include <fmt/format.h>

namespace diskimg::ntfs {

std::string attribute_type_name(std::uint32_t type) {
  switch (type) {
    case attribute_type::standard_information: return "$STANDARD_INFORMATION";
    case attribute_type::attribute_list: return "$ATTRIBUTE_LIST";
    case attribute_type::file_name: return "$FILE_NAME";
    case attribute_type::object_id: return "$OBJECT_ID";
    case attribute_type::security_descriptor: return "$SECURITY_DESCRIPTOR";
    case attribute_type::volume_name: return "$VOLUME_NAME";
    case attribute_type::volume_information: return "$VOLUME_INFORMATION";
    case attribute_type::data: return "$DATA";
    case attribute_type::index_root: return "$INDEX_ROOT";
    case attribute_type::index_allocation: return "$INDEX_ALLOCATION";
    case attribute_type::bitmap: return "$BITMAP";
    case attribute_type::reparse_point: return "$REPARSE_POINT";
    case attribute_type::ea_information: return "$EA_INFORMATION";
    case attribute_type::ea: return "$EA";
    case attribute_type::logged_utility_stream: return "$LOGGED_UTILITY_STREAM";
    default: return fmt::format("{:#x}", type);
  }
}

}  // namespace diskimg::ntfs
