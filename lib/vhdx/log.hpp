// The VHDX log ([MS-VHDX] 2.3): finding its active sequence and replaying it into an
// overlay (reading never changes the file), and writing entries (VhdxWriter).
#pragma once

#include "vhdx/problem.hpp"

#include <diskimg/core/guid.hpp>
#include <diskimg/source/byte_sink.hpp>
#include <diskimg/source/byte_source.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace diskimg::vhdx {

// Logs longer than this are not replayed (Hyper-V and qemu make 1 MiB logs): the overlay
// and the scan are bounded by it.
inline constexpr std::uint64_t max_replayed_log = 64ULL << 20;
// A log that writes or zeroes past this file offset, or says the file ends past it, is
// refused: twice the largest virtual disk, more than any VHDX's data and metadata.
inline constexpr std::uint64_t max_replayed_file_size = 128ULL << 40;

// Where the log lies and which entries belong to it: the current header's fields.
struct LogPlace {
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
  Guid guid;
};

// A file as it reads once the log has been replayed: the file's bytes, then the zero
// ranges, then the data sectors of the active sequence (later entries over earlier ones),
// and at least `size` bytes long. Immutable; reads may come from several threads.
class ReplayedFile final : public ByteSource {
 public:
  ReplayedFile(SourcePtr file, std::uint64_t size);

  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return file_->sector_size(); }
  std::string name() const override { return file_->name(); }

  // Replay, in log order.
  void zero(std::uint64_t offset, std::uint64_t length);
  void write_sector(std::uint64_t offset, std::vector<std::byte> sector);

  // What replay writes into the file, in an order that leaves it as this source reads:
  // zero ranges first, then sectors.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> zero_ranges() const;
  const std::map<std::uint64_t, std::vector<std::byte>>& sectors() const { return sectors_; }
  std::uint64_t file_size() const { return file_->size(); }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  SourcePtr file_;
  std::uint64_t size_;
  std::map<std::uint64_t, std::uint64_t> zeros_;                // start -> end, disjoint
  std::map<std::uint64_t, std::vector<std::byte>> sectors_;     // 4 KiB each, by offset
};

// What replaying found.
struct Replay {
  std::shared_ptr<const ReplayedFile> file;  // the file as replay leaves it
  std::uint64_t entries = 0;                 // entries of the active sequence
  std::uint64_t sectors = 0;                 // data sectors written
  std::uint64_t zeroed = 0;                  // bytes zeroed
  std::uint64_t head_sequence = 0;
};

// The active sequence of the log at `place` in `file` (the newest valid and complete one),
// replayed into an overlay. Nothing when the log has no valid sequence: a problem (not
// fatal: qemu opens such files too) says so. Throws FormatError when the file is shorter
// than the active sequence's FlushedFileOffset (truncated since), UnsupportedError for a
// log over max_replayed_log.
std::optional<Replay> replay_log(SourcePtr file, const LogPlace& place, std::vector<Problem>& problems);

// Writes log entries for a writer: each entry is a sequence of its own (its tail is
// itself), written after the previous one, wrapping to the log's start when it does not fit
// before its end. Not thread-safe.
class LogWriter {
 public:
  LogWriter(ByteSink& sink, const LogPlace& place, std::uint64_t first_sequence);

  // One entry that writes `sectors` (4 KiB each, by file offset) and records the file
  // sizes; the entry is written and flushed, nothing is applied. Throws IoError, and
  // UsageError when the sectors do not fit the log.
  void append(const std::map<std::uint64_t, std::vector<std::byte>>& sectors, std::uint64_t flushed_file_offset,
              std::uint64_t last_file_offset);
  std::uint64_t next_sequence() const { return sequence_; }

 private:
  ByteSink& sink_;
  LogPlace place_;
  std::uint64_t sequence_;
  std::uint64_t position_ = 0;  // within the log
};

}  // namespace diskimg::vhdx
