// The input is a whole disk read as GPT with 512- and 4096-byte sectors: headers at LBA 1
// and the last LBA, entry arrays wherever they point.
#include <diskimg/core/error.hpp>
#include <diskimg/layout/gpt.hpp>
#include <diskimg/source/memory_source.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  const diskimg::MemorySource disk(std::move(bytes));
  for (const std::uint32_t sector_size : {512u, 4096u}) {
    try {
      const diskimg::PartitionTable table = diskimg::read_gpt(disk, sector_size);
      for (const diskimg::Partition& partition : table.partitions) {
        (void)partition.type_name();
        (void)partition.name.size();
      }
    } catch (const diskimg::Error&) {
    }
  }
  return 0;
}
