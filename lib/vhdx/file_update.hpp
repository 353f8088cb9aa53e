// Changing an existing VHDX file in place outside of its blocks: both headers rewritten,
// and a pending log replayed into the file, which [MS-VHDX] 2.3.3 requires before a file
// is written (the reader only overlays it: log.hpp, ReplayedFile).
#pragma once

#include "vhdx/layout.hpp"

#include <diskimg/source/byte_sink.hpp>

#include <filesystem>

namespace diskimg::vhdx {

// Writes `header` into both header slots, each with the next sequence number (the newer
// slot last), flushing after each, so that a stop between them leaves one sound header
// that is new or old. Leaves header.sequence_number at the newest. Throws IoError.
void write_both_headers(ByteSink& sink, HeaderInfo& header);

// Zeros over [offset, end), a MiB at a time (a block can be 256 MiB). Throws IoError.
void write_zeros(ByteSink& sink, std::uint64_t offset, std::uint64_t end);

// Replays `layout`'s pending log (layout.replay set, layout.file the replayed view) into
// `sink`, the same file open for writing, flushes, then writes both headers naming no log.
// Returns the header as written. Throws FormatError, before writing anything, when the log
// would extend the file past what its layout can need (largest_file_needed); IoError when
// writing fails: the log is then still named, and replaying it again gives the same file.
HeaderInfo replay_into_file(ByteSink& sink, const Layout& layout, const std::filesystem::path& path);

}  // namespace diskimg::vhdx
