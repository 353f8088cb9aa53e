// Create a dynamic VHD of SIZE bytes and write a message at OFFSET; then a differencing
// child over it that changes one sector.  Usage: write_vhd PARENT.vhd CHILD.vhd SIZE OFFSET
#include <diskimg/diskimg.hpp>

#include <iostream>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  try {
    const std::uint64_t offset = std::stoull(argv[4]);
    diskimg::vhd::CreateOptions options;
    options.size = diskimg::parse_size(argv[3]);
    {
      const auto parent = diskimg::vhd::VhdWriter::create(argv[1], options);
      const std::string_view message = "written by diskimg";
      parent->write(offset, std::as_bytes(std::span(message.data(), message.size())));
      parent->close();  // durable; the file is a complete VHD after every write anyway
    }
    diskimg::vhd::CreateOptions child_options;
    child_options.type = diskimg::vhd::VhdType::differencing;
    child_options.parent = argv[1];
    const auto child = diskimg::vhd::VhdWriter::create(argv[2], child_options);
    const std::string_view change = "changed";
    child->write(offset, std::as_bytes(std::span(change.data(), change.size())));
    child->close();
    std::cout << "ok\n";
  } catch (const diskimg::Error& error) {
    std::cerr << error.what() << '\n';
    return 1;
  }
  return 0;
}
