// A test helper over the public VHD headers (the conversion issue will give the diskimg
// tool a way to do both):
//   vhd_tool fill OUT.vhd RAW [fixed|dynamic|PARENT.vhd] [BLOCK_SIZE]
//       writes every non-zero 64 KiB piece of RAW into a new VHD (a differencing one over
//       PARENT.vhd when a path is given)
//   vhd_tool dump IMAGE.vhd       writes the disk, read through its chain, to stdout
#include <diskimg/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

using namespace diskimg;

namespace {

int fill(const std::string& output, const std::string& raw, const std::string& kind,
         std::uint32_t block_size) {
  const FileSource input(raw);
  vhd::CreateOptions options;
  options.size = input.size();
  options.block_size = block_size;
  if (kind == "fixed") {
    options.type = vhd::VhdType::fixed;
  } else if (kind != "dynamic") {
    options.type = vhd::VhdType::differencing;
    options.parent = kind;
  }
  const auto writer = vhd::VhdWriter::create(output, options);
  std::vector<std::byte> buffer(64 << 10);
  for (std::uint64_t offset = 0; offset < input.size(); offset += buffer.size()) {
    const auto piece = std::span(buffer).first(
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), input.size() - offset)));
    input.read(offset, piece);
    if (std::all_of(piece.begin(), piece.end(), [](std::byte b) { return b == std::byte{0}; })) continue;
    writer->write(offset, piece);
  }
  writer->sync();
  return 0;
}

int dump(const std::string& image_path) {
  const auto image = vhd::VhdImage::open(image_path);
  std::vector<std::byte> buffer(1 << 20);
  for (std::uint64_t offset = 0; offset < image->size(); offset += buffer.size()) {
    const auto piece = std::span(buffer).first(
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), image->size() - offset)));
    image->read(offset, piece);
    std::fwrite(piece.data(), 1, piece.size(), stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "fill" && (argc == 5 || argc == 6)) {
      return fill(argv[2], argv[3], argv[4],
                  argc == 6 ? static_cast<std::uint32_t>(std::stoul(argv[5])) : vhd::default_block_size);
    }
    if (command == "dump" && argc == 3) return dump(argv[2]);
    std::cerr << "usage: vhd_tool fill OUT RAW fixed|dynamic|PARENT [BLOCK_SIZE] | dump IMAGE\n";
    return 2;
  } catch (const Error& error) {
    std::cerr << "vhd_tool: " << error.what() << '\n';
    return 1;
  }
}
