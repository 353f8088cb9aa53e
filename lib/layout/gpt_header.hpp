// One GPT header read and checked with its entry array: what read_gpt chooses from, and
// what rewriting the table reads again (the disk may have changed since it was read).
#pragma once

#include "layout/gpt_structures.hpp"

#include <diskimg/source/byte_source.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace diskimg {

struct HeaderRead {
  gpt::Header header{};
  std::vector<std::byte> entries;
  std::string fault;  // empty when usable: signature, sizes, LBAs and both CRCs are right
  std::string checksum_fault;  // a CRC32 mismatch let through (advisory checksums)
  std::uint64_t lba = 0;       // where the header was read
};

// The header at `lba`, its fields checked against the disk and its entry array read and
// CRC-checked; what is wrong goes in `fault`. Throws only IoError, when reading fails.
HeaderRead read_header(const ByteSource& disk, std::uint64_t lba, std::uint32_t sector_size);

}  // namespace diskimg
