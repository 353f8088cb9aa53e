// VHD writing on hostile files: the input (raw, or a sparse input whose files are
// disk.vhd, parent.vhd, ...: fuzz_support.hpp) is written to a scratch directory, then, each
// time on fresh copies,
//   repair_vhd(disk.vhd);
//   VhdWriter::open_existing(disk.vhd) and a few writes (aligned, unaligned, all zeros, at
//   the start, the middle and the last sector), after which the disk must read back what
//   was written;
//   merge_into_parent(disk.vhd).
// Every diskimg::Error is an answer; a crash, sanitizer report, other exception, leak,
// timeout, allocation over the limit, or data that does not read back is a finding.
#include "fuzz_support.hpp"

#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstdio>

namespace {

using diskimg::Error;
namespace fuzz = diskimg::fuzz;

constexpr std::uint64_t max_file_bytes = 4ull << 30;

struct Write {
  std::uint64_t offset;
  std::vector<std::byte> data;
};

std::vector<std::byte> pattern(std::size_t length, unsigned seed) {
  std::vector<std::byte> data(length);
  for (std::size_t i = 0; i < length; ++i) data[i] = static_cast<std::byte>((i * 7 + seed) | 1);
  return data;
}

std::vector<Write> writes_for(std::uint64_t size) {
  std::vector<Write> writes;
  if (size < 4096) return writes;
  writes.push_back({0, pattern(4096, 1)});
  writes.push_back({size / 3 / 512 * 512, std::vector<std::byte>(4096)});  // zeros: no allocation
  writes.push_back({size / 2 + 777 > size - 1000 ? 0 : size / 2 + 777, pattern(1000, 2)});
  writes.push_back({size - 512, pattern(512, 3)});
  return writes;
}

void write_and_read_back(const std::filesystem::path& path) {
  std::vector<Write> writes;
  {
    const auto writer = diskimg::vhd::VhdWriter::open_existing(path);
    writes = writes_for(writer->size());
    for (const Write& write : writes) writer->write(write.offset, write.data);
    writer->sync();
  }
  std::shared_ptr<const diskimg::vhd::VhdImage> image;
  try {
    image = diskimg::vhd::VhdImage::open(path);
  } catch (const Error&) {
    return;  // the writer took a file the reader refuses: not this harness's question
  }
  // Later writes win where they overlap: compare each byte with the last write to it.
  for (std::size_t i = 0; i < writes.size(); ++i) {
    std::vector<std::byte> read = image->read(writes[i].offset, writes[i].data.size());
    for (std::size_t k = 0; k < read.size(); ++k) {
      const std::uint64_t at = writes[i].offset + k;
      bool later = false;
      for (std::size_t j = i + 1; j < writes.size(); ++j) {
        later = later || (at >= writes[j].offset && at < writes[j].offset + writes[j].data.size());
      }
      if (!later && read[k] != writes[i].data[k]) {
        std::fprintf(stderr, "vhd_write_fuzzer: byte %llu reads back wrong after the writes\n",
                     static_cast<unsigned long long>(at));
        std::abort();
      }
    }
  }
}

template <typename Action>
void guarded(Action&& action) {
  try {
    action();
  } catch (const Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto files = fuzz::decode_input(std::as_bytes(std::span(data, size)), max_file_bytes);
  fuzz::ScratchDirectory& scratch = fuzz::ScratchDirectory::instance();
  guarded([&] { (void)diskimg::vhd::repair_vhd(scratch.write(files).front()); });
  guarded([&] { write_and_read_back(scratch.write(files).front()); });
  if (files.size() > 1) guarded([&] { diskimg::vhd::merge_into_parent(scratch.write(files).front()); });
  return 0;
}
