// The input is the value of an $ATTRIBUTE_LIST.
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/attribute_list.hpp>

#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto entries = diskimg::ntfs::parse_attribute_list(std::as_bytes(std::span(data, size)));
    for (const auto& entry : entries) (void)entry.name.size();
  } catch (const diskimg::Error&) {
  }
  return 0;
}
