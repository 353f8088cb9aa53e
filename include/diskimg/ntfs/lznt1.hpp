/// @file
/// LZNT1, the compression of NTFS compressed streams.
#pragma once

#include <cstddef>
#include <span>

namespace diskimg::ntfs {

/// Decompresses a compression unit's chunks from `input` into `output` and returns the bytes
/// produced. Stops at a zero chunk header, the end of input or a full `output`; bytes of
/// `output` past the returned size are left alone. Throws FormatError on a back-reference
/// before the start of its chunk or cut off at its end, or a chunk that runs past the
/// input; `output` may hold part of the data then.
std::size_t lznt1_decompress(std::span<const std::byte> input, std::span<std::byte> output);

}  // namespace diskimg::ntfs
