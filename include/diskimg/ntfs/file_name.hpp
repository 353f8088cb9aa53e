// $FILE_NAME: a file's name in one directory. Hard links are further $FILE_NAMEs; a long
// name and its DOS 8.3 alias are two, in the Win32 and DOS namespaces.
#pragma once

#include <diskimg/ntfs/attribute.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace diskimg::ntfs {

enum class NameSpace : std::uint8_t { posix = 0, win32 = 1, dos = 2, win32_and_dos = 3 };
// "posix", "win32", "dos", "win32+dos".
std::string_view to_string(NameSpace name_space);

struct FileName {
  std::string name;                // UTF-8 (unpaired surrogates become U+FFFD)
  std::u16string name_utf16;       // as stored
  NameSpace name_space = NameSpace::posix;
  RecordReference parent;
  std::uint32_t file_attributes = 0;
  std::uint64_t data_size = 0;     // as last recorded here: not reliable, use $DATA
  std::uint64_t creation_time = 0;       // FILETIME
  std::uint64_t modification_time = 0;

  bool is_directory() const { return (file_attributes & 0x10000000) != 0; }
};

// Parses a $FILE_NAME value (also the key of a directory index entry). Throws FormatError
// when the name runs past the value.
FileName parse_file_name(std::span<const std::byte> value);

}  // namespace diskimg::ntfs
