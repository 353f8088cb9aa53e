// The input is a whole disk: the MBR in its first sector, EBRs wherever the entries point.
#include <diskimg/disk/disk.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/layout/mbr.hpp>
#include <diskimg/source/memory_source.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  auto disk = std::make_shared<diskimg::MemorySource>(std::move(bytes));
  try {
    const diskimg::PartitionTable table = diskimg::read_mbr(*disk, 512);
    for (const diskimg::Partition& partition : table.partitions) (void)partition.type_name();
  } catch (const diskimg::Error&) {
  }
  try {
    // The whole path of `inspect`: detection, volumes, file system sniffing.
    (void)diskimg::Disk::from_source(disk, diskimg::Container{});
  } catch (const diskimg::Error&) {
  }
  return 0;
}
