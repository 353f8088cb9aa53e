// The byte sources behind LDM volumes: extents joined end to end, columns striped, plexes
// mirrored, columns with rotating parity (RAID-5, left-symmetric).
#pragma once

#include <diskimg/source/byte_source.hpp>

#include <string>
#include <vector>

namespace diskimg::ldm {

// Parts one after another (simple and spanned volumes, and columns of several extents).
SourcePtr concatenate(std::vector<SourcePtr> parts, std::string name);
// Chunk c of the volume is chunk c / n of column c % n.
SourcePtr stripe(std::vector<SourcePtr> columns, std::uint64_t stripe_size, std::uint64_t size, std::string name);
// Whole copies; null plexes are missing. Reads go to the first present plex, and to the
// next when one fails.
SourcePtr mirror(std::vector<SourcePtr> plexes, std::uint64_t size, std::string name);
// n columns, one of them null at most: row r holds parity in column (n-1) - (r mod n) and its
// n-1 data chunks in the columns after it, wrapping. A missing column's chunks are the XOR
// of the other columns' chunks of the same row.
SourcePtr raid5(std::vector<SourcePtr> columns, std::uint64_t stripe_size, std::uint64_t size, std::string name);

}  // namespace diskimg::ldm
