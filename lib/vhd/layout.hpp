// Reading and checking a VHD's structures: footer (and its copy), dynamic header, BAT,
// parent locators. The reader stops at the first fatal problem; `diskimg check` reports
// them all.
#pragma once

#include "core/problem.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_source.hpp>
#include <diskimg/vhd/vhd.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace diskimg::vhd {

using diskimg::Problem;

struct Layout {
  FooterInfo footer;
  bool footer_from_copy = false;     // the end footer was damaged; the copy at 0 is used
  std::optional<HeaderInfo> header;
  std::vector<std::uint32_t> bat;    // sector offsets, 0xFFFFFFFF unallocated
  std::uint64_t file_size = 0;
  std::uint32_t bitmap_bytes = 0;    // per block, padded to a whole sector
  std::uint64_t used_end = 0;        // dynamic: where the structures and blocks end, the
                                     // footer's place

  std::uint64_t block_count() const;
};

// Reads everything above; appends what is wrong to `problems`. Returns nothing when the
// file is not usable at all (a fatal problem says why).
std::optional<Layout> read_layout(const ByteSource& file, std::vector<Problem>& problems);

// The unique ID in the file's footer (the end, else the copy at offset 0), without reading
// anything else; nothing when neither footer is sound.
std::optional<Guid> peek_unique_id(const ByteSource& file);

// The structures as they lie on disk, for the writer and for tests.
FooterInfo parse_footer(std::span<const std::byte> bytes);
std::vector<std::byte> encode_footer(const FooterInfo& footer);

std::uint32_t vhd_timestamp_now();
// A file's modification time as a VHD timestamp, as Hyper-V records a parent's.
std::optional<std::uint32_t> vhd_timestamp_of(const std::filesystem::path& path);

}  // namespace diskimg::vhd
