// The input is a whole VHD file: footer (and its copy), dynamic header, BAT, sector
// bitmaps, parent locators. It is opened and read from end to end.
#include <diskimg/core/error.hpp>
#include <diskimg/source/memory_source.hpp>
#include <diskimg/vhd/image.hpp>

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  try {
    const auto image = diskimg::vhd::VhdImage::open(
        std::make_shared<diskimg::MemorySource>(std::move(bytes), 512, "fuzz.vhd"), "/nonexistent/fuzz.vhd");
    std::vector<std::byte> buffer(65536);
    // Sizes can claim up to 2040 GiB of zeros: read a sample, not everything.
    for (std::uint64_t offset = 0; offset < image->size(); offset += std::max<std::uint64_t>(image->size() / 64, 65536)) {
      const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), image->size() - offset));
      image->read(offset, std::span(buffer).first(piece));
    }
  } catch (const diskimg::Error&) {
  }
  return 0;
}
