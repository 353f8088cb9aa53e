// The clusters a run of extract has restored so far, one bit each. NTFS never gives a
// cluster to two files: a cluster named twice (by two files, or twice by one) is a
// cross-link in a damaged or crafted volume, and restoring it again and again could write
// far more than the volume holds.
#pragma once

#include <diskimg/ntfs/runlist.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace diskimg {

// Owns its bitmap: one bit per cluster the volume's source can hold (a boot sector's
// larger claim costs nothing). Not thread-safe. Never throws a diskimg::Error.
class ClaimedClusters {
 public:
  explicit ClaimedClusters(std::uint64_t clusters) : clusters_(clusters) {}

  // Claims every cluster the runs map (sparse runs map none). When one was claimed before
  // (or is named twice by these runs), claims nothing and returns it.
  std::optional<std::uint64_t> claim(const ntfs::Runlist& runs);

 private:
  std::optional<std::uint64_t> first_claimed(std::uint64_t first, std::uint64_t count) const;
  void mark(std::uint64_t first, std::uint64_t count, bool claimed);

  std::uint64_t clusters_;
  std::vector<std::uint64_t> bits_;  // grown on first use
};

}  // namespace diskimg
