#include "core/enum_names.hpp"
#include "core/load.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/layout/filesystem.hpp>

#include <algorithm>
#include <array>
#include <cstring>

#include <boost/endian/buffers.hpp>

namespace diskimg {
namespace {

constexpr std::size_t bytes_per_sector_offset = 0x0B;  // in a FAT or NTFS BIOS parameter block
constexpr std::size_t hidden_sectors_offset = 0x1C;    // in a FAT or NTFS BIOS parameter block
constexpr std::size_t exfat_sector_shift_offset = 0x6C;  // BytesPerSectorShift

std::uint16_t u16_at(std::span<const std::byte> bytes, std::size_t offset) {
  return static_cast<std::uint16_t>(std::to_integer<unsigned>(bytes[offset]) |
                                    (std::to_integer<unsigned>(bytes[offset + 1]) << 8));
}

unsigned byte_at(std::span<const std::byte> bytes, std::size_t offset) {
  return std::to_integer<unsigned>(bytes[offset]);
}

bool text_at(std::span<const std::byte> bytes, std::size_t offset, std::string_view text) {
  return std::memcmp(bytes.data() + offset, text.data(), text.size()) == 0;
}

bool is_power_of_two(unsigned value) { return value != 0 && (value & (value - 1)) == 0; }

constexpr std::array<EnumName<FilesystemKind>, 4> filesystem_names{{
    {FilesystemKind::unknown, "unknown"},
    {FilesystemKind::ntfs, "ntfs"},
    {FilesystemKind::fat, "fat"},
    {FilesystemKind::exfat, "exfat"}}};

// The BIOS parameter block checks of Linux's fat_valid_media() and blkid's vfat probe.
bool looks_like_fat(std::span<const std::byte> sector) {
  const unsigned jump = byte_at(sector, 0);
  if (jump != 0xEB && jump != 0xE9) return false;
  const unsigned bytes_per_sector = u16_at(sector, bytes_per_sector_offset);
  const unsigned sectors_per_cluster = byte_at(sector, 13);
  const unsigned reserved_sectors = u16_at(sector, 14);
  const unsigned fat_count = byte_at(sector, 16);
  const unsigned media = byte_at(sector, 21);
  return bytes_per_sector >= 512 && bytes_per_sector <= 4096 &&
         is_power_of_two(bytes_per_sector) && is_power_of_two(sectors_per_cluster) &&
         reserved_sectors >= 1 && (fat_count == 1 || fat_count == 2) &&
         (media == 0xF0 || media >= 0xF8);
}

}  // namespace

std::string_view to_string(FilesystemKind kind) { return name_of(filesystem_names, kind); }

FilesystemKind sniff_boot_sector(std::span<const std::byte> sector) {
  if (sector.size() < 512) return FilesystemKind::unknown;
  if (text_at(sector, 3, "NTFS    ")) return FilesystemKind::ntfs;
  if (text_at(sector, 3, "EXFAT   ")) return FilesystemKind::exfat;
  if (looks_like_fat(sector)) return FilesystemKind::fat;
  return FilesystemKind::unknown;
}

std::optional<std::uint32_t> declared_sector_size(std::span<const std::byte> first_sector) {
  unsigned size = 0;
  switch (sniff_boot_sector(first_sector)) {
    case FilesystemKind::ntfs:
    case FilesystemKind::fat: size = u16_at(first_sector, bytes_per_sector_offset); break;
    case FilesystemKind::exfat: {
      const unsigned shift = byte_at(first_sector, exfat_sector_shift_offset);
      size = shift <= 12 ? 1u << shift : 0;
      break;
    }
    case FilesystemKind::unknown: return std::nullopt;
  }
  if (size < 512 || size > 4096 || !is_power_of_two(size)) return std::nullopt;
  return size;
}

FilesystemKind sniff_filesystem(const ByteSource& volume) {
  if (volume.size() < 512) return FilesystemKind::unknown;
  std::array<std::byte, 512> sector{};
  volume.read(0, sector);
  return sniff_boot_sector(sector);
}

Patch hidden_sectors_patch(const ByteSource& volume, std::uint64_t offset,
                           std::uint32_t hidden_sectors) {
  std::vector<std::byte> sector = volume.read(offset, 512);
  store(boost::endian::little_uint32_buf_t(hidden_sectors), sector, hidden_sectors_offset,
        "hidden sectors field");
  return {offset, std::move(sector)};
}

}  // namespace diskimg
