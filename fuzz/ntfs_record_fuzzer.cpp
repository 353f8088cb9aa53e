// The input is one MFT file record (fixups, attribute headers, names, resident values,
// mapping pairs), read as 1024- and 4096-byte records.
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/file_record.hpp>

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (const std::size_t record_size : {std::size_t{1024}, std::size_t{4096}}) {
    if (size < record_size) continue;
    std::vector<std::byte> record(reinterpret_cast<const std::byte*>(data),
                                  reinterpret_cast<const std::byte*>(data) + record_size);
    try {
      const auto parsed = diskimg::ntfs::parse_file_record(record, 42, 1 << 20);
      for (const auto& attribute : parsed.attributes) (void)attribute.size();
    } catch (const diskimg::Error&) {
    }
  }
  return 0;
}
