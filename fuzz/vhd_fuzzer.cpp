// The input is a whole VHD file, raw or as a sparse input (fuzz_support.hpp; only its first
// file is used): footer (and its copy), dynamic header, BAT, sector bitmaps, parent
// locators. It is opened and read at a sample of places from end to end.
#include "fuzz_support.hpp"

#include <diskimg/vhd/image.hpp>

#include <cstdint>
#include <vector>

namespace {

// Past what the input holds the file reads as zeros; a larger file is no harder to read.
constexpr std::uint64_t max_file_bytes = 1ull << 32;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto files = diskimg::fuzz::decode_input(std::as_bytes(std::span(data, size)), max_file_bytes);
  try {
    const auto image = diskimg::vhd::VhdImage::open(
        std::make_shared<diskimg::fuzz::SparseSource>(std::move(files.front()), "fuzz.vhd"),
        "/nonexistent/fuzz.vhd");
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
