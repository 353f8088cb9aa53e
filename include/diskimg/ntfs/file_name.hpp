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

/// Bits of the file attributes a $FILE_NAME (and $STANDARD_INFORMATION) records: the
/// FILE_ATTRIBUTE_* values of Windows, plus NTFS's own directory bit.
enum class FileAttribute : std::uint32_t {
  read_only = 0x0001,
  hidden = 0x0002,
  system = 0x0004,
  archive = 0x0020,
  device = 0x0040,
  normal = 0x0080,
  temporary = 0x0100,
  sparse_file = 0x0200,
  reparse_point = 0x0400,
  compressed = 0x0800,
  offline = 0x1000,
  not_content_indexed = 0x2000,
  encrypted = 0x4000,
  directory = 0x10000000,  ///< NTFS: the file has a $I30 index
  index_view = 0x20000000,
};

struct FileName {
  std::string name;                // UTF-8 (unpaired surrogates become U+FFFD)
  std::u16string name_utf16;       // as stored
  NameSpace name_space = NameSpace::posix;
  RecordReference parent;
  Flags<FileAttribute> file_attributes;
  std::uint64_t data_size = 0;     // as last recorded here: not reliable, use $DATA
  std::uint64_t creation_time = 0;       // FILETIME
  std::uint64_t modification_time = 0;

  bool is_directory() const { return file_attributes.has(FileAttribute::directory); }
};

// Parses a $FILE_NAME value (also the key of a directory index entry). Throws FormatError
// when the name runs past the value.
FileName parse_file_name(std::span<const std::byte> value);

}  // namespace diskimg::ntfs
