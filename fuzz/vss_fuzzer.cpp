// The input is a volume (raw, or a sparse input of fuzz_support.hpp standing for up to
// 1 GiB) holding shadow copies: the VSS header at 0x1E00, the catalog and the stores'
// chains wherever they point. The copies are listed, each is opened (its block list and
// bitmaps read, and those of the newer ones) and read: its first 256 KiB, then 64 KiB at
// each of the first 32 places where it says data may be. Seed: fuzz/vss_volume.py --seed,
// made at fuzz time (two stores, saved blocks, a forwarder, an overlay, bitmaps).
#include "fuzz_support.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace diskimg;
  const auto input = std::as_bytes(std::span(data, size));
  std::vector<fuzz::InputFile> files = fuzz::decode_input(input, std::uint64_t{1} << 30);
  const auto volume = std::make_shared<fuzz::SparseSource>(std::move(files.front()), "fuzz volume");
  try {
    const vss::ShadowCopies copies(volume);
    for (const vss::Snapshot& snapshot : copies.snapshots()) {
      try {
        const SourcePtr copy = copies.open(snapshot.index);
        std::vector<std::byte> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(copy->size(), 256 << 10)));
        copy->read(0, buffer);
        std::uint64_t offset = 0;
        for (int hop = 0; hop < 32 && offset < copy->size(); ++hop) {
          offset = copy->next_data(offset);
          if (offset >= copy->size()) break;
          const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(copy->size() - offset, 64 << 10));
          buffer.resize(length);
          copy->read(offset, buffer);
          offset += length;
        }
      } catch (const Error&) {
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
