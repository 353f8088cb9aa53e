// Byte sources: the bottom layer. Everything diskimg reads (a raw image file, a block
// device, a slice of a disk that holds one partition, a VHD chain, an assembled LDM
// volume) is a ByteSource: a fixed size, a logical sector size and reads at any offset.
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace diskimg {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Size in bytes.
  virtual std::uint64_t size() const = 0;

  // The logical sector size of the medium (512 or 4096). A plain file cannot tell: it
  // reports 512 unless told otherwise, and partition-layout detection may find better.
  virtual std::uint32_t sector_size() const = 0;

  // A short name for messages: a file name, "partition 2 of disk.img".
  virtual std::string name() const = 0;

  // Fills `buffer` with the bytes at `offset`. Throws IoError naming the offset when the
  // range leaves the source or the medium fails. Safe to call from several threads.
  void read(std::uint64_t offset, std::span<std::byte> buffer) const;

  // Reads `length` bytes at `offset` into a new vector; OutOfMemoryError naming the source,
  // the length and the offset when memory cannot be had for it.
  std::vector<std::byte> read(std::uint64_t offset, std::size_t length) const;

  // Where data may be, for copiers that skip what reads as zeros without reading it: the
  // first offset at or after `offset` that may hold non-zero bytes, and the first offset at
  // or after it that surely reads as zeros up to next_data's next answer. Sources that know
  // nothing (the default) say "data everywhere"; sparse files answer through SEEK_DATA and
  // SEEK_HOLE, VHDs through their BAT.
  virtual std::uint64_t next_data(std::uint64_t offset) const { return std::min(offset, size()); }
  virtual std::uint64_t next_hole(std::uint64_t) const { return size(); }

 protected:
  // Called with a range already checked to lie inside [0, size()).
  virtual void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const = 0;
};

using SourcePtr = std::shared_ptr<const ByteSource>;

}  // namespace diskimg
