#include "extract/claimed_clusters.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

namespace diskimg {

std::optional<std::uint64_t> ClaimedClusters::claim(const ntfs::Runlist& runs) {
  // [first, end) of each run that maps clusters; a run reaching past the last cluster
  // number is cut there (the volume cannot hold it anyway).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> mine;
  for (const ntfs::Run& run : runs) {
    if (run.sparse() || run.length == 0) continue;
    const std::uint64_t first = *run.lcn;
    mine.emplace_back(first, first + std::min(run.length, std::numeric_limits<std::uint64_t>::max() - first));
  }
  std::optional<std::uint64_t> taken;
  for (const auto& [first, end] : mine) {
    if (const auto found = first_claimed(first, end); found && (!taken || *found < *taken)) taken = found;
  }
  // Named twice by these runs: a run starting before the furthest end of those before it.
  std::sort(mine.begin(), mine.end());
  std::uint64_t reached = 0;
  for (const auto& [first, end] : mine) {
    if (first < reached && (!taken || first < *taken)) taken = first;
    reached = std::max(reached, end);
  }
  if (taken) return taken;
  for (const auto& [first, end] : mine) add(first, end);
  return std::nullopt;
}

std::optional<std::uint64_t> ClaimedClusters::first_claimed(std::uint64_t first, std::uint64_t end) const {
  const auto after = stretches_.upper_bound(first);
  if (after != stretches_.begin() && std::prev(after)->second > first) return first;
  if (after != stretches_.end() && after->first < end) return after->first;
  return std::nullopt;
}

void ClaimedClusters::add(std::uint64_t first, std::uint64_t end) {
  auto at = stretches_.upper_bound(first);
  if (at != stretches_.begin() && std::prev(at)->second >= first) {
    --at;
    first = at->first;
    end = std::max(end, at->second);
    at = stretches_.erase(at);
  }
  while (at != stretches_.end() && at->first <= end) {
    end = std::max(end, at->second);
    at = stretches_.erase(at);
  }
  stretches_.emplace(first, end);
}

}  // namespace diskimg
