#include "vhdx/log.hpp"

#include "core/checksums.hpp"
#include "core/crc32.hpp"
#include "core/load.hpp"
#include "vhdx/vhdx_structures.hpp"

#include <diskimg/core/error.hpp>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

namespace diskimg::vhdx {
namespace {

bool signature_is(std::span<const char> field, std::string_view text) {
  return std::string_view(field.data(), field.size()) == text;
}

// One entry as the log holds it, checked: what it writes, and how it links to the others.
struct Entry {
  std::uint64_t offset = 0;  // within the log
  std::uint64_t length = 0;
  std::uint64_t tail = 0;
  std::uint64_t sequence = 0;
  std::uint64_t flushed_file_offset = 0;
  std::uint64_t last_file_offset = 0;
  struct Write {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;        // a zero range's length; 4 KiB for a sector
    std::vector<std::byte> sector;   // empty for a zero range
  };
  std::vector<Write> writes;
};

// The log's bytes from `offset` on, `length` of them, wrapping at its end.
std::vector<std::byte> read_ring(const ByteSource& file, const LogPlace& place, std::uint64_t offset,
                                 std::uint64_t length) {
  std::vector<std::byte> bytes(length);
  std::uint64_t done = 0;
  while (done < length) {
    const std::uint64_t at = (offset + done) % place.length;
    const std::uint64_t piece = std::min(length - done, place.length - at);
    file.read(place.offset + at, std::span(bytes).subspan(done, piece));
    done += piece;
  }
  return bytes;
}

// The entry at `offset` of the log if it is valid (2.3.1): signature, sizes, the header's
// log GUID, checksum, and every descriptor and data sector carrying the entry's sequence.
std::optional<Entry> entry_at(const ByteSource& file, const LogPlace& place, std::uint64_t offset) {
  const auto header = load<disk::LogEntryHeader>(read_ring(file, place, offset, sizeof(disk::LogEntryHeader)),
                                                 0, "log entry header");
  const std::uint64_t length = header.entry_length.value();
  const std::uint64_t count = header.descriptor_count.value();
  if (!signature_is(header.signature, "loge") || length == 0 || length % disk::log_sector != 0 ||
      length > place.length || header.tail.value() % disk::log_sector != 0 || header.tail.value() >= place.length ||
      header.sequence_number.value() == 0 || Guid::from_mixed_endian(header.log_guid) != place.guid) {
    return std::nullopt;
  }
  // The first sector holds the header (two descriptors' room) and 126 descriptors.
  const std::uint64_t descriptor_sectors = (count + 2 + disk::descriptors_per_sector - 1) / disk::descriptors_per_sector;
  if (descriptor_sectors * disk::log_sector > length) return std::nullopt;
  std::vector<std::byte> bytes = read_ring(file, place, offset, length);
  const std::uint32_t stored = header.checksum.value();
  std::memset(bytes.data() + offsetof(disk::LogEntryHeader, checksum), 0, 4);
  if (crc32c_of(bytes) != stored && !checksums_are_advisory()) return std::nullopt;

  Entry entry{offset, length, header.tail.value(), header.sequence_number.value(),
              header.flushed_file_offset.value(), header.last_file_offset.value(), {}};
  std::uint64_t data_sector = descriptor_sectors * disk::log_sector;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = sizeof(disk::LogEntryHeader) + i * sizeof(disk::ZeroDescriptor);
    const auto zero = load<disk::ZeroDescriptor>(bytes, at, "log descriptor");
    if (zero.sequence_number.value() != entry.sequence) return std::nullopt;
    if (signature_is(zero.signature, "zero")) {
      const std::uint64_t zero_length = zero.zero_length.value();
      if (zero_length % disk::log_sector != 0 || zero.file_offset.value() % disk::log_sector != 0 ||
          zero.file_offset.value() > UINT64_MAX - zero_length) {
        return std::nullopt;
      }
      entry.writes.push_back({zero.file_offset.value(), zero_length, {}});
      continue;
    }
    const auto data = load<disk::DataDescriptor>(bytes, at, "log descriptor");
    if (!signature_is(data.signature, "desc") || data.file_offset.value() % disk::log_sector != 0 ||
        data.file_offset.value() > UINT64_MAX - disk::log_sector || data_sector + disk::log_sector > length) {
      return std::nullopt;
    }
    const auto sector = load<disk::DataSector>(bytes, data_sector, "log data sector");
    if (!signature_is(sector.signature, "data") || sector.sequence_high.value() != (entry.sequence >> 32) ||
        sector.sequence_low.value() != (entry.sequence & 0xFFFFFFFF)) {
      return std::nullopt;
    }
    // The sector's first 8 and last 4 bytes live in the descriptor.
    std::vector<std::byte> restored(disk::log_sector);
    std::copy(data.leading_bytes.begin(), data.leading_bytes.end(), restored.begin());
    std::copy(sector.data.begin(), sector.data.end(), restored.begin() + 8);
    std::copy(data.trailing_bytes.begin(), data.trailing_bytes.end(), restored.end() - 4);
    entry.writes.push_back({data.file_offset.value(), disk::log_sector, std::move(restored)});
    data_sector += disk::log_sector;
  }
  return entry;
}

// The search of 2.3.3 for the newest valid and complete sequence, with each entry checked
// once and the work bounded by the log's size.
class SequenceSearch {
 public:
  SequenceSearch(const ByteSource& file, const LogPlace& place) : file_(file), place_(place) {}

  std::vector<const Entry*> active() {
    std::vector<const Entry*> best;
    std::uint64_t tail = 0;
    std::uint64_t old_tail = 0;
    const std::uint64_t budget = 4 * (place_.length / disk::log_sector) + 64;
    std::uint64_t steps = 0;
    while (steps < budget) {
      std::vector<const Entry*> sequence;
      std::uint64_t head = tail;
      while (steps++ < budget) {
        const Entry* entry = at(head);
        if (entry == nullptr || (!sequence.empty() && entry->sequence != sequence.back()->sequence + 1)) break;
        if (std::any_of(sequence.begin(), sequence.end(), [&](const Entry* e) { return e == entry; })) break;
        sequence.push_back(entry);
        head = (head + entry->length) % place_.length;
      }
      const std::vector<const Entry*> valid = from_its_tail(sequence);
      if (!valid.empty() && (best.empty() || valid.back()->sequence > best.back()->sequence)) best = valid;
      tail = valid.empty() ? (tail + disk::log_sector) % place_.length : head;
      if (tail <= old_tail) break;  // wrapped: the whole log has been scanned
      old_tail = tail;
    }
    return best;
  }

 private:
  const Entry* at(std::uint64_t offset) {
    auto found = cache_.find(offset);
    if (found == cache_.end()) found = cache_.emplace(offset, entry_at(file_, place_, offset)).first;
    return found->second ? &*found->second : nullptr;
  }

  // The part of a sequence from the entry its head names as tail, if the head names one.
  static std::vector<const Entry*> from_its_tail(const std::vector<const Entry*>& sequence) {
    if (sequence.empty()) return {};
    const auto start = std::find_if(sequence.begin(), sequence.end(),
                                    [&](const Entry* e) { return e->offset == sequence.back()->tail; });
    if (start == sequence.end()) return {};
    return {start, sequence.end()};
  }

  const ByteSource& file_;
  const LogPlace& place_;
  std::unordered_map<std::uint64_t, std::optional<Entry>> cache_;
};

}  // namespace

ReplayedFile::ReplayedFile(SourcePtr file, std::uint64_t size)
    : file_(std::move(file)), size_(std::max(size, file_->size())) {}

void ReplayedFile::zero(std::uint64_t offset, std::uint64_t length) {
  if (length == 0) return;
  const std::uint64_t end = offset + length;
  size_ = std::max(size_, end);
  // Sectors written before are zeroed now.
  sectors_.erase(sectors_.lower_bound(offset), sectors_.lower_bound(end));
  std::uint64_t start = offset;
  std::uint64_t stop = end;
  auto next = zeros_.upper_bound(offset);
  if (next != zeros_.begin() && std::prev(next)->second >= offset) --next;
  while (next != zeros_.end() && next->first <= stop) {
    start = std::min(start, next->first);
    stop = std::max(stop, next->second);
    next = zeros_.erase(next);
  }
  zeros_[start] = stop;
}

void ReplayedFile::write_sector(std::uint64_t offset, std::vector<std::byte> sector) {
  size_ = std::max(size_, offset + sector.size());
  sectors_[offset] = std::move(sector);
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> ReplayedFile::zero_ranges() const {
  return {zeros_.begin(), zeros_.end()};
}

void ReplayedFile::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  const std::uint64_t end = offset + buffer.size();
  // The file's bytes, as far as it goes; zeros past its end.
  const std::uint64_t in_file = offset < file_->size() ? std::min(end, file_->size()) - offset : 0;
  if (in_file != 0) file_->read(offset, buffer.first(in_file));
  std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(in_file), buffer.end(), std::byte{0});
  auto zero = zeros_.upper_bound(offset);
  if (zero != zeros_.begin()) --zero;
  for (; zero != zeros_.end() && zero->first < end; ++zero) {
    const std::uint64_t from = std::max(offset, zero->first);
    const std::uint64_t to = std::min(end, zero->second);
    if (from < to) std::fill_n(buffer.begin() + static_cast<std::ptrdiff_t>(from - offset), to - from, std::byte{0});
  }
  auto sector = sectors_.upper_bound(offset);
  if (sector != sectors_.begin()) --sector;
  for (; sector != sectors_.end() && sector->first < end; ++sector) {
    const std::uint64_t from = std::max(offset, sector->first);
    const std::uint64_t to = std::min(end, sector->first + sector->second.size());
    if (from >= to) continue;
    std::copy_n(sector->second.begin() + static_cast<std::ptrdiff_t>(from - sector->first), to - from,
                buffer.begin() + static_cast<std::ptrdiff_t>(from - offset));
  }
}

std::optional<Replay> replay_log(SourcePtr file, const LogPlace& place, std::vector<Problem>& problems) {
  const Location where{"log", place.offset};
  if (place.length == 0 || place.length % disk::MiB != 0 || place.offset % disk::MiB != 0 ||
      place.offset < disk::header_section_size || place.offset > file->size() ||
      place.length > file->size() - place.offset) {
    throw FormatError(fmt::format("vhdx: the log at offset {:#x} ({} bytes) lies outside the file or is "
                                  "misaligned, and it holds changes to replay", place.offset, place.length),
                      where);
  }
  if (place.length > max_replayed_log) {
    throw UnsupportedError(fmt::format("vhdx: the log at offset {:#x} is {} bytes, more than the {} bytes "
                                       "diskimg replays", place.offset, place.length, max_replayed_log),
                           where);
  }
  SequenceSearch search(*file, place);
  const std::vector<const Entry*> active = search.active();
  if (active.empty()) {
    problems.push_back({false, "the header names a log, but it holds no valid sequence of entries: "
                               "nothing was replayed", where});
    return std::nullopt;
  }
  const Entry& head = *active.back();
  if (file->size() < head.flushed_file_offset) {
    throw FormatError(fmt::format("vhdx: the log's newest entry (sequence {}) says the file was at least {} "
                                  "bytes long, but it is {}: it was cut short", head.sequence,
                                  head.flushed_file_offset, file->size()),
                      where);
  }
  // A log can extend the file, but not past what any VHDX can need: the size of what it
  // describes is bounded by it (the overlay, the checks that map the file).
  const auto too_far = [&](const Entry& entry, std::uint64_t offset, std::string_view what) {
    throw FormatError(fmt::format("vhdx: the log entry at offset {:#x} (sequence {}) {} file offset {:#x}, "
                                  "past the {} bytes a VHDX file can take", place.offset + entry.offset,
                                  entry.sequence, what, offset, max_replayed_file_size),
                      Location{"log entry", place.offset + entry.offset});
  };
  if (head.last_file_offset > max_replayed_file_size) too_far(head, head.last_file_offset, "says the file ends at");
  Replay replay;
  auto replayed = std::make_shared<ReplayedFile>(file, head.last_file_offset);
  for (const Entry* entry : active) {
    for (const Entry::Write& write : entry->writes) {
      if (write.offset < disk::header_section_size) {
        throw FormatError(fmt::format("vhdx: the log entry at offset {:#x} (sequence {}) writes into the header "
                                      "section (file offset {:#x}), which only headers change",
                                      place.offset + entry->offset, entry->sequence, write.offset),
                          Location{"log entry", place.offset + entry->offset});
      }
      if (write.offset > max_replayed_file_size || write.length > max_replayed_file_size - write.offset) {
        too_far(*entry, write.offset, write.sector.empty() ? "zeroes bytes from" : "writes a sector at");
      }
      if (write.sector.empty()) {
        replayed->zero(write.offset, write.length);
        replay.zeroed += write.length;
      } else {
        replayed->write_sector(write.offset, write.sector);
        ++replay.sectors;
      }
    }
  }
  replay.file = std::move(replayed);
  replay.entries = active.size();
  replay.head_sequence = head.sequence;
  return replay;
}

LogWriter::LogWriter(ByteSink& sink, const LogPlace& place, std::uint64_t first_sequence)
    : sink_(sink), place_(place), sequence_(first_sequence) {}

void LogWriter::append(const std::map<std::uint64_t, std::vector<std::byte>>& sectors,
                       std::uint64_t flushed_file_offset, std::uint64_t last_file_offset) {
  const std::uint64_t count = sectors.size();
  const std::uint64_t descriptor_sectors = (count + 2 + disk::descriptors_per_sector - 1) / disk::descriptors_per_sector;
  const std::uint64_t length = (descriptor_sectors + count) * disk::log_sector;
  if (length > place_.length) {
    throw UsageError(fmt::format("vhdx: a log entry of {} bytes does not fit the {}-byte log", length, place_.length));
  }
  if (position_ + length > place_.length) position_ = 0;  // entries never wrap: any reader reads them
  std::vector<std::byte> entry(length);
  disk::LogEntryHeader header{};
  std::memcpy(header.signature.data(), "loge", 4);
  header.entry_length = static_cast<std::uint32_t>(length);
  header.tail = static_cast<std::uint32_t>(position_);  // a sequence of its own
  header.sequence_number = sequence_;
  header.descriptor_count = static_cast<std::uint32_t>(count);
  header.log_guid = place_.guid.to_mixed_endian();
  header.flushed_file_offset = flushed_file_offset;
  header.last_file_offset = last_file_offset;
  store(header, entry, 0, "log entry header");
  std::uint64_t index = 0;
  for (const auto& [offset, bytes] : sectors) {
    disk::DataDescriptor descriptor{};
    std::memcpy(descriptor.signature.data(), "desc", 4);
    std::copy_n(bytes.begin(), 8, descriptor.leading_bytes.begin());
    std::copy_n(bytes.end() - 4, 4, descriptor.trailing_bytes.begin());
    descriptor.file_offset = offset;
    descriptor.sequence_number = sequence_;
    store(descriptor, entry, sizeof(disk::LogEntryHeader) + index * sizeof(disk::DataDescriptor), "log descriptor");
    disk::DataSector sector{};
    std::memcpy(sector.signature.data(), "data", 4);
    sector.sequence_high = static_cast<std::uint32_t>(sequence_ >> 32);
    sector.sequence_low = static_cast<std::uint32_t>(sequence_ & 0xFFFFFFFF);
    std::copy(bytes.begin() + 8, bytes.end() - 4, sector.data.begin());
    store(sector, entry, (descriptor_sectors + index) * disk::log_sector, "log data sector");
    ++index;
  }
  header.checksum = crc32c_of(entry);
  store(header, entry, 0, "log entry header");
  sink_.write(place_.offset + position_, entry);
  sink_.sync();
  position_ += length;
  ++sequence_;
}

}  // namespace diskimg::vhdx
