// The input is written from sector 6 of a 64 MiB disk whose MBR has one type 0x42 partition
// (the rest of the disk reads as zeros): PRIVHEAD first, then whatever the PRIVHEAD points
// at (TOCBLOCK, VMDB, VBLK records). The database is read, a disk group assembled from this
// one disk, and each volume that assembles is read at its start and end. Seeds: the database
// regions of ../shared/ldm-samples, made by fuzz/make_ldm_seeds.py at fuzz time.
#include <diskimg/core/error.hpp>
#include <diskimg/ldm/disk_group.hpp>
#include <diskimg/layout/partition_table.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

class FuzzDisk final : public diskimg::ByteSource {
 public:
  explicit FuzzDisk(std::vector<std::byte> prefix) : prefix_(std::move(prefix)) {}
  std::uint64_t size() const override { return 64u << 20; }
  std::uint32_t sector_size() const override { return 512; }
  std::string name() const override { return "fuzz disk"; }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    std::fill(buffer.begin(), buffer.end(), std::byte{0});
    if (offset >= prefix_.size()) return;
    const std::size_t length = std::min<std::uint64_t>(buffer.size(), prefix_.size() - offset);
    std::memcpy(buffer.data(), prefix_.data() + offset, length);
  }

 private:
  std::vector<std::byte> prefix_;
};

std::vector<std::byte> disk_prefix(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> prefix(6 * 512 + size);
  // MBR: one partition of type 0x42 from sector 63 to the end, and the boot signature.
  const std::uint32_t start = 63;
  const std::uint32_t sectors = (64u << 11) - start;
  std::byte* entry = prefix.data() + 446;
  entry[4] = std::byte{0x42};
  for (int i = 0; i < 4; ++i) {
    entry[8 + i] = static_cast<std::byte>(start >> (8 * i));
    entry[12 + i] = static_cast<std::byte>(sectors >> (8 * i));
  }
  prefix[510] = std::byte{0x55};
  prefix[511] = std::byte{0xAA};
  std::memcpy(prefix.data() + 6 * 512, data, size);
  return prefix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto disk = std::make_shared<FuzzDisk>(disk_prefix(data, size));
  try {
    const diskimg::PartitionTable layout = diskimg::read_partition_table(*disk);
    if (!diskimg::ldm::has_database(layout)) return 0;
    diskimg::ldm::Database database = diskimg::ldm::read_database(*disk, layout);
    const diskimg::ldm::DiskGroup group = diskimg::ldm::assemble_disk_group({{disk, std::move(database)}});
    std::vector<std::byte> buffer(4096);
    for (const auto& volume : group.volumes) {
      if (!volume.bytes) continue;
      const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), volume.bytes->size()));
      volume.bytes->read(0, std::span(buffer).first(piece));
      volume.bytes->read(volume.bytes->size() - piece, std::span(buffer).first(piece));
    }
  } catch (const diskimg::Error&) {
  }
  return 0;
}
