// The VSS volume header and catalog: which stores a volume holds, and where their block
// lists, headers and bitmaps are.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <cstdint>
#include <vector>

namespace diskimg::vss {

// Where a store's parts are (volume offsets; 0 where there is none), and its catalog flags.
struct StorePlaces {
  std::uint64_t block_list = 0;
  std::uint64_t header = 0;
  std::uint64_t bitmap = 0;
  std::uint64_t previous_bitmap = 0;
  std::uint64_t catalog_flags = 0;
};

struct Catalog {
  std::vector<Snapshot> snapshots;   // oldest first; problem set for a store that cannot be read
  std::vector<StorePlaces> places;   // one per snapshot
  Warnings warnings;
};

// Reads the header at 0x1E00 and the catalog it names; a volume without them has no
// snapshots. Damage is a warning or a snapshot's problem, never an exception (IoError
// from the volume aside).
Catalog read_catalog(const ByteSource& volume);

}  // namespace diskimg::vss
