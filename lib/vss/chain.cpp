#include "vss/chain.hpp"

#include "core/load.hpp"
#include "vss/vss_structures.hpp"

#include <diskimg/core/error.hpp>

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

namespace diskimg::vss {

bool is_vss_identifier(std::span<const std::byte> bytes) {
  return bytes.size() >= vss_identifier.size() &&
         std::equal(vss_identifier.begin(), vss_identifier.end(), bytes.begin(),
                    [](unsigned char a, std::byte b) { return a == std::to_integer<unsigned char>(b); });
}

void walk_chain(const ByteSource& volume, std::uint64_t first, std::uint32_t record_type, const std::string& what,
                const std::function<void(std::span<const std::byte> block, std::uint64_t offset)>& visit) {
  std::unordered_set<std::uint64_t> seen;
  const std::uint64_t most = volume.size() / block_size;
  for (std::uint64_t offset = first; offset != 0;) {
    const Location here{fmt::format("VSS {} block", what), offset};
    if (offset % block_size != 0 || offset >= volume.size() || volume.size() - offset < block_size) {
      throw FormatError(fmt::format("vss: {} block at offset {:#x} is not a 16 KiB block inside the volume ({} bytes)",
                                    what, offset, volume.size()), here);
    }
    if (!seen.insert(offset).second || seen.size() > most) {
      throw FormatError(fmt::format("vss: {} comes back to the block at offset {:#x} (a loop)", what, offset), here);
    }
    const std::vector<std::byte> block = volume.read(offset, block_size);
    const auto header = load<BlockHeader>(block, 0, "VSS block header");
    if (!is_vss_identifier(block) || header.record_type.value() != record_type) {
      throw FormatError(fmt::format("vss: {} block at offset {:#x}: {} (record type {} expected)", what, offset,
                                    is_vss_identifier(block) ? fmt::format("record type {}", header.record_type.value())
                                                             : std::string("no VSS identifier"),
                                    record_type), here);
    }
    visit(block, offset);
    offset = header.next_offset.value();
  }
}

}  // namespace diskimg::vss
