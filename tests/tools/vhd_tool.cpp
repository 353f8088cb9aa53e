// A test helper over the public VHD headers, independent of `diskimg convert` (the VHD
// tests and tests/bench/vhd_write.sh use it):
//   vhd_tool fill OUT RAW fixed|dynamic|PARENT [BLOCK_SIZE [SECTOR_SIZE]]
//       writes every non-zero 64 KiB piece of RAW into a new VHD, or a new VHDX when OUT
//       ends in .vhdx (SECTOR_SIZE: its logical sectors, 512 or 4096); a differencing one
//       over PARENT when a path is given
//   vhd_tool dump IMAGE.vhd [OUT]  writes the disk, read through its chain, to stdout or
//                                  to a new sparse file
#include <diskimg/core/bytes.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_sink.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <future>
#include <iostream>
#include <string>

#include <unistd.h>

using namespace diskimg;

namespace {

constexpr std::uint64_t chunk_size = 4 << 20;

// Reads `source` in chunks and hands each to `visit(offset, bytes)`, reading the next chunk
// on another thread meanwhile (qemu-img overlaps its reads and writes too). With
// `skip_holes`, what the source reports as holes is neither read nor visited. Buffers are
// page-aligned: the kernel copies from them into the page cache markedly faster.
template <class Visit>
void read_ahead(const ByteSource& source, bool skip_holes, Visit visit) {
  struct Chunk {
    std::uint64_t offset = 0;
    std::unique_ptr<std::byte, decltype(&std::free)> memory{
        static_cast<std::byte*>(std::aligned_alloc(4096, chunk_size)), &std::free};
    std::span<std::byte> bytes;
  };
  const auto read_next = [&](std::uint64_t from, Chunk& chunk) {
    chunk.offset = skip_holes ? source.next_data(from) : from;
    if (chunk.offset >= source.size()) {
      chunk.bytes = {};
      return;
    }
    const std::uint64_t end = skip_holes ? std::max(source.next_hole(chunk.offset), chunk.offset + 1) : source.size();
    chunk.bytes = std::span(chunk.memory.get(), static_cast<std::size_t>(std::min(
                                                      chunk_size, std::min(end, source.size()) - chunk.offset)));
    source.read(chunk.offset, chunk.bytes);
  };
  Chunk current;
  Chunk next;
  std::future<void> reading = std::async(std::launch::async, read_next, 0, std::ref(next));
  while (true) {
    reading.get();
    std::swap(current, next);
    if (current.bytes.empty()) break;
    reading = std::async(std::launch::async, read_next, current.offset + current.bytes.size(), std::ref(next));
    visit(current.offset, std::span<const std::byte>(current.bytes));
  }
}

// Every non-zero run of `input` (in pieces of at most 64 KiB) written through `writer`.
template <class Writer>
void write_nonzero(const ByteSource& input, Writer& writer) {
  constexpr std::size_t piece_size = 64 << 10;
  read_ahead(input, true, [&](std::uint64_t offset, std::span<const std::byte> bytes) {
    for_each_nonzero_run(bytes, piece_size, [&](std::size_t at, std::span<const std::byte> run) {
      writer.write(offset + at, run);
    });
  });
}

// The same options for VHD and VHDX: the type from `kind`, the size from the input.
template <class Options, class Type>
Options create_options(const ByteSource& input, const std::string& kind, std::uint32_t block_size) {
  Options options;
  options.size = input.size();
  options.block_size = block_size;
  if (kind == "fixed") {
    options.type = Type::fixed;
  } else if (kind == "dynamic") {
    options.type = Type::dynamic;
  } else {
    options.type = Type::differencing;
    options.parent = kind;
  }
  return options;
}

int fill(const std::string& output, const std::string& raw, const std::string& kind,
         std::uint32_t block_size, std::uint32_t sector_size) {
  const FileSource input(raw);
  if (output.ends_with(".vhdx")) {
    auto options = create_options<vhdx::CreateOptions, vhdx::VhdxType>(input, kind, block_size);
    options.logical_sector_size = sector_size;
    const auto writer = vhdx::VhdxWriter::create(output, options);
    write_nonzero(input, *writer);
    writer->close();
    return 0;
  }
  const auto writer = vhd::VhdWriter::create(output, create_options<vhd::CreateOptions, vhd::VhdType>(input, kind, block_size));
  write_nonzero(input, *writer);
  writer->sync();
  return 0;
}

// To stdout, or to a new sparse file OUT (what no file of the chain holds, and zero
// chunks, left as holes, as qemu-img does).
int dump(const std::string& image_path, const std::string& output) {
  const auto image = vhd::VhdImage::open(image_path);
  std::unique_ptr<FileSink> file;
  if (!output.empty()) {
    file = std::make_unique<FileSink>(output, FileSink::Mode::create_new);
    // Sized first, as qemu-img sizes its raw output: writes then fill holes in a file of
    // the final size rather than extend it (several times faster on tmpfs).
    if (::truncate(output.c_str(), static_cast<off_t>(image->size())) != 0) return 1;
  }
  // stdout needs every byte; a sparse file only what may hold data.
  read_ahead(*image, file != nullptr, [&](std::uint64_t offset, std::span<const std::byte> bytes) {
    if (!file) {
      std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    } else if (!is_all_zero(bytes)) {
      file->write(offset, bytes);
    }
  });
  if (file && ::truncate(output.c_str(), static_cast<off_t>(image->size())) != 0) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "fill" && argc >= 5 && argc <= 7) {
      const bool vhdx = std::string_view(argv[2]).ends_with(".vhdx");
      const std::uint32_t default_block = vhdx ? vhdx::default_block_size : vhd::default_block_size;
      return fill(argv[2], argv[3], argv[4], argc >= 6 ? static_cast<std::uint32_t>(std::stoul(argv[5])) : default_block,
                  argc == 7 ? static_cast<std::uint32_t>(std::stoul(argv[6])) : 512);
    }
    if (command == "dump" && (argc == 3 || argc == 4)) return dump(argv[2], argc == 4 ? argv[3] : "");
    std::cerr << "usage: vhd_tool fill OUT RAW fixed|dynamic|PARENT [BLOCK_SIZE [SECTOR_SIZE]] | dump IMAGE\n";
    return 2;
  } catch (const std::exception& error) {  // diskimg errors, and a BLOCK_SIZE that is no number
    std::cerr << "vhd_tool: " << error.what() << '\n';
    return 1;
  }
}
