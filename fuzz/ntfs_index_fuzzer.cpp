// The input is one INDX block of a directory's $INDEX_ALLOCATION (fixups, node header,
// entries, $FILE_NAME keys, sub-node VCNs), 4096 bytes at VCN 0.
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/directory.hpp>

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> block(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  try {
    const auto node = diskimg::ntfs::open_index_block(block, 0, "fuzz");
    for (const auto& slot : diskimg::ntfs::parse_index_node(node, "fuzz")) {
      if (slot.entry) (void)slot.entry->name.name.size();
    }
  } catch (const diskimg::Error&) {
  }
  return 0;
}
