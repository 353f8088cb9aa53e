#include "disk_builder.hpp"

#include <diskimg/core/error.hpp>

#include <zlib.h>

namespace diskimg::test {

DiskBuilder& DiskBuilder::mbr_entry(std::uint64_t sector, unsigned slot, std::uint8_t type,
                                    std::uint32_t first_lba, std::uint32_t sector_count,
                                    std::uint8_t status) {
  const std::uint64_t base = sector * sector_size_;
  const std::uint64_t entry = base + 446 + slot * 16;
  put_u8(entry, status);
  put_u8(entry + 4, type);
  put_le32(entry + 8, first_lba);
  put_le32(entry + 12, sector_count);
  put_u8(base + 510, 0x55);
  put_u8(base + 511, 0xAA);
  return *this;
}

DiskBuilder& DiskBuilder::put(std::uint64_t offset, std::span<const std::byte> data) {
  std::copy(data.begin(), data.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(offset));
  return *this;
}

DiskBuilder& DiskBuilder::put_u8(std::uint64_t offset, std::uint8_t value) {
  bytes_.at(offset) = std::byte{value};
  return *this;
}

DiskBuilder& DiskBuilder::put_le32(std::uint64_t offset, std::uint32_t value) {
  for (unsigned i = 0; i < 4; ++i) put_u8(offset + i, static_cast<std::uint8_t>(value >> (8 * i)));
  return *this;
}

DiskBuilder& DiskBuilder::put_le64(std::uint64_t offset, std::uint64_t value) {
  for (unsigned i = 0; i < 8; ++i) put_u8(offset + i, static_cast<std::uint8_t>(value >> (8 * i)));
  return *this;
}

std::shared_ptr<MemorySource> DiskBuilder::source() const {
  return std::make_shared<MemorySource>(bytes_, sector_size_, "built disk");
}

std::vector<std::byte> load_fixture(const std::filesystem::path& relative) {
  const std::filesystem::path path = std::filesystem::path(DISKIMG_FIXTURES) / relative;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw IoError("cannot open fixture " + path.string());
  std::vector<std::byte> bytes;
  std::vector<std::byte> chunk(1 << 20);
  int got = 0;
  while ((got = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0) {
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + got);
  }
  gzclose(file);
  if (got < 0) throw IoError("cannot decompress fixture " + path.string());
  return bytes;
}

}  // namespace diskimg::test
