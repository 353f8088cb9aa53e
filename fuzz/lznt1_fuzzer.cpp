// The input is the stored clusters of one compression unit (16 clusters of 4 KiB).
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/lznt1.hpp>

#include <cstdint>
#include <span>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> unit(64 << 10);
  try {
    (void)diskimg::ntfs::lznt1_decompress(std::as_bytes(std::span(data, size)), unit);
  } catch (const diskimg::Error&) {
  }
  return 0;
}
