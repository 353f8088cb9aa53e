// The input is a whole (small) NTFS volume: boot sector, MFT bootstrap, records, attribute
// lists, directory trees and streams, as `diskimg ls -r` and `cat` reach them.
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/listing.hpp>
#include <diskimg/source/memory_source.hpp>

#include <cstdint>
#include <vector>

namespace {

void read_some(const diskimg::ntfs::Volume& volume, std::uint64_t record) {
  const auto file = volume.read_file(record);
  for (const auto& attribute : file.attributes) {
    if (attribute.type != diskimg::ntfs::AttributeType::data) continue;
    const auto stream = volume.open_stream(file, attribute.type, attribute.name);
    std::vector<std::byte> buffer(4096);
    for (std::uint64_t offset = 0; offset < stream->size() && offset < (1 << 20); offset += 65536) {
      const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(4096, stream->size() - offset));
      stream->read(offset, std::span(buffer).first(piece));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  try {
    const auto volume = diskimg::ntfs::Volume::open(
        std::make_shared<diskimg::MemorySource>(std::move(bytes)));
    (void)volume->label();
    diskimg::Warnings warnings;
    unsigned visited = 0;
    diskimg::ntfs::walk_directory(*volume, "/", true, [&](const diskimg::ntfs::ListedEntry& entry) {
      if (++visited < 64) {
        try {
          read_some(*volume, entry.file.record);
        } catch (const diskimg::Error&) {
        }
      }
    }, warnings);
  } catch (const diskimg::Error&) {
  }
  return 0;
}
