// The clusters a run of extract has restored so far. NTFS never gives a cluster to two
// files: a cluster named twice (by two files, or twice by one) is a cross-link in a damaged
// or crafted volume, and restoring it again and again could write far more than the volume
// holds.
#pragma once

#include <diskimg/ntfs/runlist.hpp>

#include <cstdint>
#include <map>
#include <optional>

namespace diskimg {

// Owns a set of stretches of clusters, adjacent ones joined: memory goes with the runs the
// volume's records really hold, not with the clusters a run claims (a tiny crafted image
// may claim a run of petabytes). Not thread-safe. Never throws a diskimg::Error.
class ClaimedClusters {
 public:
  // Claims every cluster the runs map (sparse runs map none). When one was claimed before
  // (or is named twice by these runs), claims nothing and returns the first such cluster.
  std::optional<std::uint64_t> claim(const ntfs::Runlist& runs);

 private:
  std::optional<std::uint64_t> first_claimed(std::uint64_t first, std::uint64_t end) const;
  void add(std::uint64_t first, std::uint64_t end);

  std::map<std::uint64_t, std::uint64_t> stretches_;  // first cluster -> one past the last
};

}  // namespace diskimg
