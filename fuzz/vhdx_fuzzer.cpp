// The input is a VHDX file or a differencing chain of them (fuzz_support.hpp: a sparse input
// of up to four files, written to a scratch directory as disk.vhd, parent.vhd, ...):
// headers, region tables, metadata items, the BAT, sector bitmaps, parent locators and the
// log, which a dirty header makes the reader replay into an overlay. The image is opened
// and read at a sample of places from end to end; then opened for writing, given one write
// that must read back, and closed (which replays the log into the file for good).
#include "fuzz_support.hpp"

#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

// Past what the input holds the files read as zeros; a larger file is no harder to read.
constexpr std::uint64_t max_file_bytes = 1ull << 32;
constexpr std::uint64_t max_written_file_bytes = 64ull << 20;

void read_sample(const diskimg::ByteSource& image) {
  std::vector<std::byte> buffer(65536);
  // Sizes can claim up to 64 TiB of zeros: read a sample, not everything.
  const std::uint64_t step = std::max<std::uint64_t>(image.size() / 64, buffer.size());
  for (std::uint64_t offset = 0; offset < image.size(); offset += step) {
    const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), image.size() - offset));
    image.read(offset, std::span(buffer).first(piece));
  }
}

// One sector written near the middle of the disk must read back after close().
void write_one_sector(const std::filesystem::path& path) {
  std::uint64_t offset = 0;
  std::uint32_t sector = 512;
  {
    auto writer = diskimg::vhdx::VhdxWriter::open_existing(path);
    sector = writer->sector_size();
    offset = writer->size() / 2 / sector * sector;
    std::vector<std::byte> data(sector, std::byte{0xA5});
    writer->write(offset, data);
    writer->close();
  }
  const auto image = diskimg::vhdx::VhdxImage::open(path);
  const std::vector<std::byte> back = image->read(offset, sector);
  for (const std::byte b : back) {
    if (b != std::byte{0xA5}) std::abort();  // a write that closed cleanly did not read back
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto files = diskimg::fuzz::decode_input(std::as_bytes(std::span(data, size)), max_file_bytes);
  try {
    read_sample(*diskimg::vhdx::VhdxImage::open(std::make_shared<diskimg::fuzz::SparseSource>(files.front(), "fuzz.vhdx"),
                                                "/nonexistent/fuzz.vhdx"));
  } catch (const diskimg::Error&) {
  }
  // Writing zeroes what a log or an allocation names, up to the file's size: only small files.
  if (std::any_of(files.begin(), files.end(), [](const auto& file) { return file.size > max_written_file_bytes; })) {
    return 0;
  }
  try {
    const auto paths = diskimg::fuzz::ScratchDirectory::instance().write(files);
    read_sample(*diskimg::vhdx::VhdxImage::open(paths.front()));
    write_one_sector(paths.front());
  } catch (const diskimg::Error&) {
  }
  return 0;
}
