// The input is an NTFS boot sector.
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/boot_sector.hpp>

#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  try {
    const auto boot = diskimg::ntfs::parse_boot_sector(bytes, std::uint64_t{1} << 40);
    (void)boot;
  } catch (const diskimg::Error&) {
  }
  return 0;
}
