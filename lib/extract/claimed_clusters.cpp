#include "extract/claimed_clusters.hpp"

#include <algorithm>

namespace diskimg {

std::optional<std::uint64_t> ClaimedClusters::claim(const ntfs::Runlist& runs) {
  if (bits_.empty()) bits_.resize((clusters_ + 63) / 64);
  std::size_t marked = 0;
  for (const ntfs::Run& run : runs) {
    if (run.sparse()) {
      ++marked;
      continue;
    }
    // Clusters past what the source holds cannot be read either: reading them fails.
    const std::uint64_t first = std::min(*run.lcn, clusters_);
    const std::uint64_t count = std::min(run.length, clusters_ - first);
    if (const auto taken = first_claimed(first, count)) {
      // Undo this file's claims: only what was restored stays claimed.
      for (std::size_t i = 0; i < marked; ++i) {
        if (!runs[i].sparse()) {
          const std::uint64_t undo = std::min(*runs[i].lcn, clusters_);
          mark(undo, std::min(runs[i].length, clusters_ - undo), false);
        }
      }
      return taken;
    }
    mark(first, count, true);
    ++marked;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> ClaimedClusters::first_claimed(std::uint64_t first, std::uint64_t count) const {
  for (std::uint64_t cluster = first; cluster < first + count;) {
    const std::uint64_t word = bits_[cluster / 64];
    const unsigned bit = cluster % 64;
    const std::uint64_t span = std::min<std::uint64_t>(64 - bit, first + count - cluster);
    const std::uint64_t mask = (span == 64 ? ~0ULL : ((1ULL << span) - 1)) << bit;
    if ((word & mask) != 0) {
      return cluster / 64 * 64 + static_cast<std::uint64_t>(__builtin_ctzll(word & mask));
    }
    cluster += span;
  }
  return std::nullopt;
}

void ClaimedClusters::mark(std::uint64_t first, std::uint64_t count, bool claimed) {
  for (std::uint64_t cluster = first; cluster < first + count;) {
    const unsigned bit = cluster % 64;
    const std::uint64_t span = std::min<std::uint64_t>(64 - bit, first + count - cluster);
    const std::uint64_t mask = (span == 64 ? ~0ULL : ((1ULL << span) - 1)) << bit;
    if (claimed) {
      bits_[cluster / 64] |= mask;
    } else {
      bits_[cluster / 64] &= ~mask;
    }
    cluster += span;
  }
}

}  // namespace diskimg
