#include "core/load.hpp"
#include "ntfs/boot_sector_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/boot_sector.hpp>

#include <bit>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

// Windows 10 1903 and later make clusters up to 2 MiB; ntfs-3g caps there as well.
constexpr std::uint32_t max_cluster_size = 2u << 20;
// A record or index block size of 2^-n bytes: anything outside 512 B .. 64 KiB is hostile.
constexpr std::uint32_t max_record_size = 64u << 10;

std::uint32_t cluster_size_of(const disk::BootSector& sector) {
  const std::uint32_t bytes_per_sector = sector.bytes_per_sector.value();
  const unsigned encoded = sector.sectors_per_cluster;
  if (encoded == 0) throw FormatError("ntfs: boot sector: sectors per cluster is 0", Location{"NTFS boot sector", std::nullopt});
  // Above 128 the byte is a negative exponent: 0xF4 (-12) means 2^12 sectors.
  // 0x80 is 128 sectors; above, 2^(256-n): 0xF4 (-12) is 4096 sectors. Exponents past 21
  // would exceed 2 MiB with any sector size.
  const unsigned exponent = encoded <= 128 ? 0 : 256 - encoded;
  const std::uint64_t sectors = encoded <= 128 ? encoded
                              : exponent <= 21 ? std::uint64_t{1} << exponent
                                               : 0;
  if (!std::has_single_bit(sectors) || sectors > max_cluster_size) {
    throw FormatError(fmt::format("ntfs: boot sector: sectors per cluster byte {:#04x} is "
                                  "invalid", encoded), Location{"NTFS boot sector", std::nullopt});
  }
  const std::uint64_t bytes = sectors * bytes_per_sector;
  if (bytes > max_cluster_size) {
    throw FormatError(fmt::format("ntfs: boot sector: cluster size {} exceeds 2 MiB", bytes), Location{"NTFS boot sector", std::nullopt});
  }
  return static_cast<std::uint32_t>(bytes);
}

// Positive: clusters; negative: 2^-n bytes.
std::uint32_t record_size_of(std::int8_t encoded, std::uint32_t cluster_size, const char* what) {
  std::uint64_t bytes = 0;
  if (encoded > 0) {
    bytes = std::uint64_t{static_cast<std::uint8_t>(encoded)} * cluster_size;
  } else if (encoded < 0 && encoded >= -31) {
    bytes = std::uint64_t{1} << -encoded;
  }
  if (bytes < 512 || bytes > max_record_size || !std::has_single_bit(bytes)) {
    throw FormatError(fmt::format("ntfs: boot sector: {} size byte {} gives {} bytes, not a "
                                  "power of two from 512 to 64 KiB", what, encoded, bytes), Location{"NTFS boot sector", std::nullopt});
  }
  return static_cast<std::uint32_t>(bytes);
}

}  // namespace

BootSector parse_boot_sector(std::span<const std::byte> bytes, std::uint64_t volume_size) {
  const auto sector = load<disk::BootSector>(bytes, 0, "NTFS boot sector");
  if (std::string_view(sector.oem_id.data(), 8) != "NTFS    ") {
    throw FormatError("ntfs: boot sector: no \"NTFS    \" OEM identifier at offset 0x3", Location{"NTFS boot sector", std::nullopt});
  }
  BootSector boot;
  boot.bytes_per_sector = sector.bytes_per_sector.value();
  if (boot.bytes_per_sector < 256 || boot.bytes_per_sector > 4096 ||
      !std::has_single_bit(boot.bytes_per_sector)) {
    throw FormatError(fmt::format("ntfs: boot sector: bytes per sector {} is invalid",
                                  boot.bytes_per_sector), Location{"NTFS boot sector", std::nullopt});
  }
  boot.cluster_size = cluster_size_of(sector);
  boot.total_sectors = sector.total_sectors.value();
  const std::uint64_t sectors_per_cluster = boot.cluster_size / boot.bytes_per_sector;
  boot.total_clusters = boot.total_sectors / sectors_per_cluster;
  if (boot.total_clusters == 0 ||
      boot.total_sectors > volume_size / boot.bytes_per_sector) {
    throw FormatError(fmt::format(
        "ntfs: boot sector: {} sectors of {} bytes do not fit in the volume ({} bytes)",
        boot.total_sectors, boot.bytes_per_sector, volume_size), Location{"NTFS boot sector", std::nullopt});
  }
  boot.mft_lcn = sector.mft_lcn.value();
  boot.mft_mirror_lcn = sector.mft_mirror_lcn.value();
  if (boot.mft_lcn == 0 || boot.mft_lcn >= boot.total_clusters ||
      boot.mft_mirror_lcn == 0 || boot.mft_mirror_lcn >= boot.total_clusters) {
    throw FormatError(fmt::format(
        "ntfs: boot sector: $MFT at LCN {} or $MFTMirr at LCN {} lies outside the volume "
        "({} clusters)", boot.mft_lcn, boot.mft_mirror_lcn, boot.total_clusters), Location{"NTFS boot sector", std::nullopt});
  }
  boot.file_record_size =
      record_size_of(sector.clusters_per_file_record.value(), boot.cluster_size, "file record");
  boot.index_block_size =
      record_size_of(sector.clusters_per_index_block.value(), boot.cluster_size, "index block");
  boot.serial_number = sector.serial_number.value();
  boot.hidden_sectors = sector.hidden_sectors.value();
  return boot;
}

}  // namespace diskimg::ntfs
