#include "core/enum_names.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "ntfs/record_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/file_name.hpp>

#include <fmt/format.h>

namespace diskimg::ntfs {

namespace {

constexpr std::array<EnumName<NameSpace>, 4> name_space_names{{
    {NameSpace::posix, "posix"},
    {NameSpace::win32, "win32"},
    {NameSpace::dos, "dos"},
    {NameSpace::win32_and_dos, "win32+dos"}}};

}  // namespace

std::string_view to_string(NameSpace name_space) {
  return name_of(name_space_names, name_space, "posix");
}

FileName parse_file_name(std::span<const std::byte> value) {
  const auto raw = load<disk::FileNameValue>(value, 0, "$FILE_NAME");
  const std::size_t units = raw.name_length;
  if ((value.size() - sizeof(disk::FileNameValue)) / 2 < units) {
    throw FormatError(fmt::format("$FILE_NAME: name of {} characters runs past the {}-byte "
                                  "value", units, value.size()), Location{"$FILE_NAME", std::nullopt});
  }
  FileName name;
  name.name_utf16 = utf16le_units(value.subspan(sizeof(disk::FileNameValue), 2 * units));
  name.name = utf16_to_utf8(name.name_utf16);
  name.name_space = static_cast<NameSpace>(raw.name_space & 0x03);
  name.parent = RecordReference::from_u64(raw.parent.value());
  name.file_attributes = Flags<FileAttribute>(raw.file_attributes.value());
  name.data_size = raw.data_size.value();
  name.creation_time = raw.creation_time.value();
  name.modification_time = raw.modification_time.value();
  return name;
}

}  // namespace diskimg::ntfs
