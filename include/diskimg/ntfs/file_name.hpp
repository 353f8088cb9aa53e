/// @file
/// $FILE_NAME: a file's name in one directory. Hard links are further $FILE_NAMEs; a long
/// name and its DOS 8.3 alias are two, in the Win32 and DOS namespaces.
#pragma once

#include <diskimg/ntfs/attribute.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

/// The namespace of a $FILE_NAME.
enum class NameSpace : std::uint8_t {
  posix = 0,          ///< case-sensitive, any character but NUL and '/'
  win32 = 1,          ///< a long name, with a DOS alias of its own
  dos = 2,            ///< an 8.3 alias of a Win32 name
  win32_and_dos = 3   ///< a name that is valid in both, stored once
};
/// "posix", "win32", "dos", "win32+dos".
std::string_view to_string(NameSpace name_space);

/// Bits of the file attributes a $FILE_NAME (and $STANDARD_INFORMATION) records: the
/// FILE_ATTRIBUTE_* values of Windows, plus NTFS's own directory bit.
enum class FileAttribute : std::uint32_t {
  read_only = 0x0001,            ///< FILE_ATTRIBUTE_READONLY
  hidden = 0x0002,               ///< FILE_ATTRIBUTE_HIDDEN
  system = 0x0004,               ///< FILE_ATTRIBUTE_SYSTEM
  archive = 0x0020,              ///< FILE_ATTRIBUTE_ARCHIVE
  device = 0x0040,               ///< FILE_ATTRIBUTE_DEVICE
  normal = 0x0080,               ///< FILE_ATTRIBUTE_NORMAL: no other bit set
  temporary = 0x0100,            ///< FILE_ATTRIBUTE_TEMPORARY
  sparse_file = 0x0200,          ///< FILE_ATTRIBUTE_SPARSE_FILE
  reparse_point = 0x0400,        ///< FILE_ATTRIBUTE_REPARSE_POINT
  compressed = 0x0800,           ///< FILE_ATTRIBUTE_COMPRESSED
  offline = 0x1000,              ///< FILE_ATTRIBUTE_OFFLINE
  not_content_indexed = 0x2000,  ///< FILE_ATTRIBUTE_NOT_CONTENT_INDEXED
  encrypted = 0x4000,            ///< FILE_ATTRIBUTE_ENCRYPTED
  directory = 0x10000000,       ///< NTFS: the file has a $I30 index
  index_view = 0x20000000,       ///< NTFS: the file has another view index
};

/// The names of the bits set, in bit order: "readonly", "hidden", "system", "archive",
/// "device", "normal", "temporary", "sparse", "reparse", "compressed", "offline",
/// "not_content_indexed", "encrypted", "directory", "index_view"; other bits as "0x...".
std::vector<std::string> file_attribute_names(Flags<FileAttribute> attributes);

/// The four times NTFS keeps for a file, as FILETIMEs (100 ns units since 1601-01-01 UTC;
/// 0: not set). $STANDARD_INFORMATION holds the ones Windows shows; each $FILE_NAME holds
/// its own copy, updated mostly when the name changes.
struct FileTimes {
  std::uint64_t created = 0;      ///< when the file was made
  std::uint64_t modified = 0;     ///< when its data last changed
  std::uint64_t mft_changed = 0;  ///< when its MFT record last changed
  std::uint64_t accessed = 0;     ///< when it was last read (updated lazily by Windows)
};

/// A FILETIME in ISO 8601, UTC, with its full 100 ns precision: "2024-05-06T07:08:09.1234567Z".
/// Times before 1601 cannot be written; times past year 9999 print with more digits.
std::string filetime_to_iso8601(std::uint64_t filetime);

/// A $FILE_NAME as parsed: a plain value.
struct FileName {
  std::string name;                ///< UTF-8 (unpaired surrogates become U+FFFD)
  std::u16string name_utf16;       ///< as stored
  NameSpace name_space = NameSpace::posix;  ///< POSIX, Win32, DOS or both of the last two
  RecordReference parent;          ///< the directory the name is in
  Flags<FileAttribute> file_attributes;  ///< as last recorded here
  std::uint64_t data_size = 0;     ///< as last recorded here: not reliable, use $DATA
  FileTimes times;                 ///< as last recorded here (often older than $STANDARD_INFORMATION's)

  /// Whether the name is a directory's (the directory bit of its file attributes).
  bool is_directory() const { return file_attributes.has(FileAttribute::directory); }
};

/// Parses a $FILE_NAME value (also the key of a directory index entry). Throws FormatError
/// when the value is shorter than its fixed part or the name runs past it.
FileName parse_file_name(std::span<const std::byte> value);

}  // namespace diskimg::ntfs
