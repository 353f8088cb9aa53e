#include "vhdx/file_update.hpp"

#include "vhdx/log.hpp"
#include "vhdx/vhdx_structures.hpp"

#include <diskimg/core/error.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg::vhdx {

void write_both_headers(ByteSink& sink, HeaderInfo& header) {
  for (int i = 0; i < 2; ++i) {
    ++header.sequence_number;
    sink.write(disk::header_offsets[header.sequence_number % 2], encode_header(header));
    sink.sync();
  }
}

void write_zeros(ByteSink& sink, std::uint64_t offset, std::uint64_t end) {
  if (end <= offset) return;
  const std::vector<std::byte> zeros(static_cast<std::size_t>(std::min<std::uint64_t>(end - offset, disk::MiB)));
  for (std::uint64_t at = offset; at < end; at += zeros.size()) {
    sink.write(at, std::span(zeros).first(static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), end - at))));
  }
}

HeaderInfo replay_into_file(ByteSink& sink, const Layout& layout, const std::filesystem::path& path) {
  HeaderInfo header = layout.header;
  const auto* replayed = dynamic_cast<const ReplayedFile*>(layout.file.get());
  if (!replayed) return header;
  const std::uint64_t file_size = sink.size();
  // The log may extend the file (to its newest entry's LastFileOffset), but not past what
  // this disk can need: a hostile entry would otherwise make a file of up to 128 TiB.
  const std::uint64_t needed = largest_file_needed(layout);
  if (replayed->size() > std::max(file_size, needed)) {
    throw FormatError(fmt::format("vhdx: {}: the log says the file ends at {:#x}, past the {} bytes a VHDX of "
                                  "this size and block size can need: refusing to extend it",
                                  path.string(), replayed->size(), needed),
                      {path.string() + ": log", layout.header.log_offset});
  }
  // Zeros past the file's end need no writing: the resize makes them.
  for (const auto& [offset, end] : replayed->zero_ranges()) {
    if (offset < file_size) write_zeros(sink, offset, std::min(end, file_size));
  }
  for (const auto& [offset, sector] : replayed->sectors()) sink.write(offset, sector);
  if (sink.size() < replayed->size()) sink.resize(replayed->size());
  sink.sync();
  header.log_guid = Guid{};  // replayed into the file: nothing is left to replay
  write_both_headers(sink, header);
  return header;
}

}  // namespace diskimg::vhdx
