// Bytes held in memory: fuzz inputs, unit tests, decompressed fixtures.
#pragma once

#include <diskimg/source/byte_source.hpp>

namespace diskimg {

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::vector<std::byte> bytes, std::uint32_t sector_size = 512,
                        std::string name = "memory");

  std::uint64_t size() const override { return bytes_.size(); }
  std::uint32_t sector_size() const override { return sector_size_; }
  std::string name() const override { return name_; }
  std::span<const std::byte> bytes() const { return bytes_; }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  std::vector<std::byte> bytes_;
  std::uint32_t sector_size_;
  std::string name_;
};

}  // namespace diskimg
