// The input is a whole NTFS volume, raw or as a sparse input (fuzz_support.hpp: the seeds
// are small volumes cut to their used sectors): boot sector, MFT bootstrap, records,
// attribute lists, directory indexes, streams (sparse, compressed), $UpCase, $Bitmap, as
// `diskimg ls -r`, `cat` and the used-map check reach them, with bounded work per input.
#include "fuzz_support.hpp"

#include <cstdint>

namespace {

// Larger volumes read the same way; zeros past what the input holds cost nothing.
constexpr std::uint64_t max_volume_bytes = 256u << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto files = diskimg::fuzz::decode_input(std::as_bytes(std::span(data, size)), max_volume_bytes);
  diskimg::fuzz::exercise_ntfs_volume(
      std::make_shared<diskimg::fuzz::SparseSource>(std::move(files.front()), "fuzz volume"));
  return 0;
}
