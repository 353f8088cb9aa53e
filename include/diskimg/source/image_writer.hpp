/// @file
/// A disk image open for writing, whatever its format: what the VHD and VHDX writers share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace diskimg {

/// A disk image open for writing (vhd::VhdWriter, vhdx::VhdxWriter): the guest's bytes read
/// and written at any offset. Owns its file. Not thread-safe: one thread at a time.
class ImageWriter {
 public:
  /// Leaves the file as the last flush() or close() left it, with what was written since
  /// perhaps in it (each format says how much).
  virtual ~ImageWriter() = default;
  /// The disk's size in bytes.
  virtual std::uint64_t size() const = 0;
  /// The logical sector size the disk presents.
  virtual std::uint32_t sector_size() const = 0;
  /// Reads the disk as written so far, flushed or not. Throws UsageError when the range
  /// runs past the disk, IoError when the file (or a parent) cannot be read.
  virtual void read(std::uint64_t offset, std::span<std::byte> buffer) = 0;
  /// Writes bytes at a guest offset (any alignment). Throws UsageError when the range runs
  /// past the disk, IoError when the file cannot be read or written.
  virtual void write(std::uint64_t offset, std::span<const std::byte> data) = 0;
  /// Makes every write so far durable and visible to readers of the file. Throws IoError.
  virtual void flush() = 0;
  /// flush(), then marks the file closed cleanly where the format has such a mark. Nothing
  /// may be written afterwards. Throws IoError.
  virtual void close() = 0;
};

}  // namespace diskimg
