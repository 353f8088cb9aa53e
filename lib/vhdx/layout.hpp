// Reading a VHDX's structures: file identifier, headers, the log (replayed into an
// overlay), region tables, metadata, and where the BAT says each block is. The reader stops
// at the first fatal problem; check_vhdx reports them all.
#pragma once

#include "vhdx/problem.hpp"

#include <diskimg/source/byte_source.hpp>
#include <diskimg/vhdx/vhdx.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace diskimg::vhdx {

// How the BAT interleaves payload and sector bitmap entries (2.5).
struct BatGeometry {
  std::uint64_t block_size = 0;
  std::uint64_t chunk_ratio = 0;        // payload blocks per sector bitmap block
  std::uint64_t payload_blocks = 0;
  std::uint64_t bitmap_blocks = 0;
  std::uint64_t entries = 0;            // what the BAT must hold

  std::uint64_t payload_entry(std::uint64_t block) const { return block + block / chunk_ratio; }
  std::uint64_t bitmap_entry(std::uint64_t chunk) const { return chunk * (chunk_ratio + 1) + chunk_ratio; }
};

// A BAT entry: its state (low 3 bits) and file offset (bits 20..63, in MiB).
struct BatEntry {
  std::uint8_t state = 0;
  std::uint64_t offset = 0;  // bytes
};
BatEntry decode_bat_entry(std::uint64_t raw);
std::uint64_t encode_bat_entry(std::uint8_t state, std::uint64_t offset);

struct Layout {
  SourcePtr file;                       // the file as read: replayed when it had a log
  std::optional<LogReplayInfo> replay;  // what replaying did
  int current_header = 0;               // 0 at 64 KiB, 1 at 128 KiB
  HeaderInfo header;
  std::vector<RegionInfo> regions;
  RegionInfo bat;
  RegionInfo metadata_region;
  MetadataInfo metadata;
  BatGeometry geometry;
  VhdxType type = VhdxType::dynamic;
};

// The most bytes a file of this layout can need: past its furthest region (log included),
// room for every payload and sector bitmap block. A file may be bigger, but no log
// replay needs to make it so.
std::uint64_t largest_file_needed(const Layout& layout);

// Reads everything above; appends what is wrong to `problems`. Returns nothing when the
// file is not usable at all (a fatal problem says why). Throws IoError when the file cannot
// be read, UnsupportedError for what diskimg does not read (a required region or metadata
// item it does not know, a log too long to replay).
std::optional<Layout> read_layout(SourcePtr file, std::vector<Problem>& problems);

// Calls `visit(index, entry)` for every BAT entry, reading the table in pieces.
void for_each_bat_entry(const Layout& layout, const std::function<void(std::uint64_t, BatEntry)>& visit);

// Checks that the allocated blocks lie in the file, past the header section, and overlap
// neither each other nor the log, the regions or the metadata; appends what is wrong.
void check_blocks(const Layout& layout, std::vector<Problem>& problems);

// The file's identifier, for writers: "vhdxfile" and the creator string.
bool has_vhdx_signature(const ByteSource& file);

// Checksummed structures as they lie on disk, for the writer and for tests.
std::vector<std::byte> encode_header(const HeaderInfo& header);

}  // namespace diskimg::vhdx
