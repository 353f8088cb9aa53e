// Which file system a volume holds, judged from its first sector (as blkid does).
#pragma once

#include <diskimg/source/byte_source.hpp>

#include <span>
#include <string_view>

namespace diskimg {

enum class FilesystemKind { unknown, ntfs, fat, exfat };
std::string_view to_string(FilesystemKind kind);

// Judges a volume's first sector (at least 512 bytes; fewer give unknown).
FilesystemKind sniff_boot_sector(std::span<const std::byte> first_sector);

// Reads the volume's first sector and judges it; a volume too small or unreadable is unknown.
FilesystemKind sniff_filesystem(const ByteSource& volume);

}  // namespace diskimg
