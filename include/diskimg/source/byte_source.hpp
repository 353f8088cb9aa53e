/// @file
/// Byte sources: the bottom layer. Everything diskimg reads (a raw image file, a block
/// device, a slice of a disk that holds one partition, a VHD chain, an assembled LDM
/// volume) is a ByteSource: a fixed size, a logical sector size and reads at any offset.
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace diskimg {

/// Bytes to read: a fixed size, a logical sector size and reads at any offset. Sources are
/// shared as SourcePtr (a `shared_ptr` to const): a source that reads through another (a
/// slice, a VHD, a stream) holds its SourcePtr and keeps it alive.
///
/// Every function is const and may be called from several threads at once: each
/// implementation of read_inside must allow that (pread has no shared file position;
/// caches take locks).
class ByteSource {
 public:
  /// Releases what the source owns (a descriptor, a buffer, its share of other sources).
  virtual ~ByteSource() = default;

  /// Size in bytes. Never throws.
  virtual std::uint64_t size() const = 0;

  /// The logical sector size of the medium (512 or 4096). A plain file cannot tell: it
  /// reports 512 unless told otherwise, and partition-layout detection may find better.
  virtual std::uint32_t sector_size() const = 0;

  /// A short name for messages: a file name, "partition 2 of disk.img".
  virtual std::string name() const = 0;

  /// Fills `buffer` with the bytes at `offset`. Throws IoError naming the offset when the
  /// range leaves the source (nothing is read then) or the medium fails; sources that decode
  /// what they read (ntfs::Stream) also throw FormatError for damaged bytes. After a throw
  /// the buffer's contents are unspecified. Safe to call from several threads.
  void read(std::uint64_t offset, std::span<std::byte> buffer) const;

  /// Reads `length` bytes at `offset` into a new vector; throws as the other read does, and
  /// OutOfMemoryError naming the source, the length and the offset when memory cannot be
  /// had for it.
  std::vector<std::byte> read(std::uint64_t offset, std::size_t length) const;

  /// Where data may be, for copiers that skip what reads as zeros without reading it: the
  /// first offset at or after `offset` that may hold non-zero bytes (size() when none
  /// does). Sources that know nothing (the default) say "data everywhere"; sparse files
  /// answer through SEEK_DATA, VHDs through their BAT. The library's sources never throw
  /// here.
  virtual std::uint64_t next_data(std::uint64_t offset) const { return std::min(offset, size()); }
  /// The first offset at or after the one given that surely reads as zeros up to
  /// next_data's next answer (size() when there is none). The default says "no holes";
  /// sparse files answer through SEEK_HOLE, VHDs through their BAT.
  virtual std::uint64_t next_hole(std::uint64_t) const { return size(); }

  /// A hint that [offset, offset + length) will be read soon, so that a source on a disk
  /// can have the disk read it ahead while earlier bytes are used: reads issued one after
  /// another then find their bytes in memory, and the device has more than one request to
  /// work on. A file or block device asks the kernel (posix_fadvise WILLNEED); windows
  /// pass it on; the default does nothing. Ranges past the end are clipped. Never throws.
  virtual void will_need(std::uint64_t /*offset*/, std::uint64_t /*length*/) const {}

 protected:
  /// Fills `buffer` with the bytes at `offset`; called by read with a range already checked
  /// to lie inside [0, size()) and not empty. Must be safe to call from several threads.
  virtual void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const = 0;
};

/// A shared, read-only byte source: whoever holds one keeps the source alive.
using SourcePtr = std::shared_ptr<const ByteSource>;

}  // namespace diskimg
