/// @file
/// Bytes held in memory: fuzz inputs, unit tests, decompressed fixtures.
#pragma once

#include <diskimg/source/byte_source.hpp>

namespace diskimg {

/// Bytes held in memory. Owns them; they never change, so reads may come from several
/// threads at once and never fail inside the source.
class MemorySource final : public ByteSource {
 public:
  /// Takes `bytes`, reporting `sector_size` as the logical sector size and `name` in
  /// messages.
  explicit MemorySource(std::vector<std::byte> bytes, std::uint32_t sector_size = 512,
                        std::string name = "memory");

  /// The number of bytes held.
  std::uint64_t size() const override { return bytes_.size(); }
  /// The sector size given to the constructor.
  std::uint32_t sector_size() const override { return sector_size_; }
  /// The name given to the constructor.
  std::string name() const override { return name_; }
  /// The bytes, valid as long as the source lives.
  std::span<const std::byte> bytes() const { return bytes_; }

 protected:
  /// Copies from the bytes held.
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  std::vector<std::byte> bytes_;
  std::uint32_t sector_size_;
  std::string name_;
};

}  // namespace diskimg
