/// @file
/// The master boot record and its chain of extended boot records.
#pragma once

#include <diskimg/layout/partition_table.hpp>

namespace diskimg {

/// True when the first sector carries the 0x55AA boot signature (a span shorter than 512
/// bytes never does). Never throws.
bool has_boot_signature(std::span<const std::byte> first_sector);

/// True when the first sector has the boot signature and every primary entry's status byte
/// is 0x00 or 0x80, the test Linux applies before it trusts an MBR. Never throws.
bool looks_like_mbr(std::span<const std::byte> first_sector);

/// True when the first sector has the boot signature and one of the four primary entries
/// has type 0xEE: the protective MBR of a GPT disk. Never throws.
bool is_protective_mbr(std::span<const std::byte> first_sector);

/// Reads the MBR in sector 0 and follows every extended partition's EBR chain. Problems that
/// leave the rest readable (a looping chain, a partition past the end, overlaps) become
/// warnings. Throws FormatError when sector 0 has no 0x55AA signature, IoError when it
/// cannot be read.
PartitionTable read_mbr(const ByteSource& disk, std::uint32_t sector_size);

}  // namespace diskimg
