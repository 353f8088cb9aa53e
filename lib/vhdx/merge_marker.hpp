// The DataWriteGuids a parent carries while a differencing child is merged into it
// ("DIMGMERG") and once it is merged ("DIMGDONE"), then the first 8 bytes of the child's
// DataWriteGuid. Other readers see only a changed
// DataWriteGuid (other children of the parent rightly stop linking to it); diskimg knows
// from it that a merge was interrupted, and from which child: the parent then reads right
// only through that child, and merging again finishes the merge.
#pragma once

#include <diskimg/core/guid.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace diskimg::vhdx {

inline constexpr char merge_marker_prefix[8] = {'D', 'I', 'M', 'G', 'M', 'E', 'R', 'G'};
inline constexpr char merged_marker_prefix[8] = {'D', 'I', 'M', 'G', 'D', 'O', 'N', 'E'};

inline Guid marker_of(const char (&prefix)[8], const Guid& child_data_write_guid) {
  std::array<std::byte, 16> bytes{};
  std::memcpy(bytes.data(), prefix, 8);
  const std::array<std::byte, 16> child = child_data_write_guid.to_big_endian();
  std::copy_n(child.begin(), 8, bytes.begin() + 8);
  return Guid::from_big_endian(bytes);
}

// While the merge writes.
inline Guid merge_marker(const Guid& child_data_write_guid) {
  return marker_of(merge_marker_prefix, child_data_write_guid);
}

// Once every block is written: the parent's new DataWriteGuid, from which a merge run again
// (stopped before it removed the child) knows there is only the child left to remove.
inline Guid merged_marker(const Guid& child_data_write_guid) {
  return marker_of(merged_marker_prefix, child_data_write_guid);
}

inline bool is_merge_marker(const Guid& guid) {
  const std::array<std::byte, 16> bytes = guid.to_big_endian();
  return std::memcmp(bytes.data(), merge_marker_prefix, 8) == 0;
}

}  // namespace diskimg::vhdx
