// LZNT1 as NTFS writes it. Sources: libfsntfs documentation "LZNT1 compression"; ntfs-3g
// compress.c ntfs_decompress(). A compression unit holds chunks that each stand for 4096
// bytes, each with a 16-bit header: bits 0-11 the stored size minus 1, bits 12-14 the
// signature 3, bit 15 set when the chunk is compressed. A zero header ends the unit.
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/lznt1.hpp>

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

constexpr std::size_t chunk_size = 4096;

// Decompresses one chunk's body into `output`; returns the bytes written.
std::size_t decompress_chunk(std::span<const std::byte> body, std::span<std::byte> output) {
  std::size_t in = 0;
  std::size_t out = 0;
  const std::size_t limit = std::min(output.size(), chunk_size);
  while (in < body.size() && out < limit) {
    const unsigned flags = std::to_integer<unsigned>(body[in++]);
    for (unsigned bit = 0; bit < 8 && in < body.size() && out < limit; ++bit) {
      if ((flags & (1u << bit)) == 0) {
        output[out++] = body[in++];
        continue;
      }
      if (body.size() - in < 2) {
        throw FormatError("lznt1: back-reference token cut off at the end of the chunk", Location{"LZNT1 compression unit", std::nullopt});
      }
      const unsigned token = std::to_integer<unsigned>(body[in]) |
                             (std::to_integer<unsigned>(body[in + 1]) << 8);
      in += 2;
      // The split between offset and length bits moves as the chunk fills: the offset
      // needs just enough bits to reach back to the start of the chunk.
      unsigned length_mask = 0x0FFF;
      unsigned offset_shift = 12;
      for (std::size_t position = out - 1; position >= 0x10 && out != 0; position >>= 1) {
        length_mask >>= 1;
        --offset_shift;
      }
      const std::size_t back = (token >> offset_shift) + 1;
      std::size_t length = (token & length_mask) + 3;
      if (back > out) {
        throw FormatError(fmt::format("lznt1: back-reference {} bytes before position {} of "
                                      "its chunk", back, out), Location{"LZNT1 compression unit", std::nullopt});
      }
      length = std::min(length, limit - out);
      for (std::size_t i = 0; i < length; ++i, ++out) output[out] = output[out - back];
    }
  }
  return out;
}

}  // namespace

std::size_t lznt1_decompress(std::span<const std::byte> input, std::span<std::byte> output) {
  std::size_t in = 0;
  std::size_t out = 0;
  while (input.size() - in >= 2 && out < output.size()) {
    const unsigned header = std::to_integer<unsigned>(input[in]) |
                            (std::to_integer<unsigned>(input[in + 1]) << 8);
    if (header == 0) break;  // the end of the compressed data in this unit
    const std::size_t stored = (header & 0x0FFF) + 1;
    if (input.size() - in - 2 < stored) {
      throw FormatError(fmt::format("lznt1: chunk at offset {} of {} bytes runs past the "
                                    "{}-byte input", in, stored, input.size()), Location{"LZNT1 compression unit", std::nullopt});
    }
    const auto body = input.subspan(in + 2, stored);
    const auto target = output.subspan(out, std::min(chunk_size, output.size() - out));
    std::size_t produced = 0;
    if ((header & 0x8000) != 0) {
      produced = decompress_chunk(body, target);
    } else {
      // A stored chunk: its bytes as they are.
      produced = std::min(body.size(), target.size());
      std::copy_n(body.begin(), produced, target.begin());
    }
    // Every chunk but the last stands for a full 4096 bytes; what it did not produce is
    // zero (ntfs-3g zero-fills the rest of the sub-block the same way).
    std::fill(target.begin() + static_cast<std::ptrdiff_t>(produced), target.end(), std::byte{0});
    out += target.size();
    in += 2 + stored;
  }
  return out;
}

}  // namespace diskimg::ntfs
