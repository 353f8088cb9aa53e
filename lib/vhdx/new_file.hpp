// A new VHDX's structures, planned and written: the file type identifier, both headers,
// both region tables, the log's place, the metadata region and the BAT (every block of a
// fixed disk allocated). The layout is qemu's and Hyper-V's: the log at 1 MiB (1 MiB long),
// the metadata at 2 MiB, the BAT at 3 MiB, blocks after it.
#pragma once

#include "vhdx/layout.hpp"

#include <diskimg/source/byte_sink.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <filesystem>
#include <memory>
#include <vector>

namespace diskimg::vhdx {

struct NewFile {
  HeaderInfo header;
  MetadataInfo metadata;
  BatGeometry geometry;
  std::uint64_t bat_offset = 0;
  std::uint64_t bat_length = 0;
  std::uint64_t metadata_offset = 0;
  std::uint64_t data_start = 0;     // the first block's place
  std::uint64_t file_end = 0;       // the file's length when made
  std::vector<std::uint64_t> bat;   // raw entries
  std::shared_ptr<const VhdxImage> parent;
  std::string creator;
};

// Throws UsageError for what the format cannot hold: a size of 0 or over 64 TiB, a block
// size that is not a power of two from 1 MiB to 256 MiB, sector sizes other than 512 and
// 4096, a differencing disk without a parent.
void check_create_options(const CreateOptions& options);

// The structures of a new file at `path`; a differencing disk's parent is opened (its size,
// sector size and block size are the child's).
NewFile plan_new_file(const std::filesystem::path& path, const CreateOptions& options);

// Writes them: the regions and metadata first, the headers and the identifier last, so
// that a file cut short is no VHDX at all. Throws IoError.
void write_new_file(ByteSink& sink, const NewFile& plan);

}  // namespace diskimg::vhdx
