// Builds disks byte by byte in memory, for hostile input the real tools will not write.
#pragma once

#include <diskimg/source/memory_source.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace diskimg::test {

class DiskBuilder {
 public:
  explicit DiskBuilder(std::uint64_t size, std::uint32_t sector_size = 512)
      : bytes_(size), sector_size_(sector_size) {}

  // An MBR-style partition entry (slot 0-3) in the boot sector at `sector`, with the
  // 0x55AA signature set.
  DiskBuilder& mbr_entry(std::uint64_t sector, unsigned slot, std::uint8_t type,
                         std::uint32_t first_lba, std::uint32_t sector_count,
                         std::uint8_t status = 0);
  DiskBuilder& put(std::uint64_t offset, std::span<const std::byte> data);
  DiskBuilder& put_u8(std::uint64_t offset, std::uint8_t value);
  DiskBuilder& put_le32(std::uint64_t offset, std::uint32_t value);
  DiskBuilder& put_le64(std::uint64_t offset, std::uint64_t value);

  std::vector<std::byte>& bytes() { return bytes_; }
  std::shared_ptr<MemorySource> source() const;

 private:
  std::vector<std::byte> bytes_;
  std::uint32_t sector_size_;
};

// A gzip-compressed fixture from tests/fixtures, decompressed into memory.
std::vector<std::byte> load_fixture(const std::filesystem::path& relative);

}  // namespace diskimg::test
