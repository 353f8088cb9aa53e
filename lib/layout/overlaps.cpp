#include "layout/overlaps.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace diskimg {
namespace {

// A hostile table can make every pair overlap; a few examples say enough.
constexpr std::size_t max_overlap_warnings = 16;

// An extended partition holds its logical partitions: that overlap is the design.
bool contains_by_design(const Partition& a, const Partition& b) {
  return (a.extended && b.logical) || (b.extended && a.logical);
}

}  // namespace

void warn_overlaps(PartitionTable& table, std::string_view scheme_name) {
  std::vector<const Partition*> by_start;
  for (const Partition& partition : table.partitions) by_start.push_back(&partition);
  std::sort(by_start.begin(), by_start.end(),
            [](const Partition* a, const Partition* b) { return a->start < b->start; });
  Warnings found;
  std::size_t overlaps = 0;
  for (std::size_t i = 0; i < by_start.size(); ++i) {
    for (std::size_t j = i + 1; j < by_start.size(); ++j) {
      const Partition& a = *by_start[i];
      const Partition& b = *by_start[j];
      if (b.start >= a.end()) break;
      if (contains_by_design(a, b)) continue;
      if (++overlaps > max_overlap_warnings) continue;
      found.emplace_back(Location{fmt::format("partition {}", b.number), b.start},
                         fmt::format("{}: partitions {} and {} overlap (bytes {:#x}..{:#x})",
                                     scheme_name, a.number, b.number, b.start,
                                     std::min(a.end(), b.end())));
    }
  }
  if (overlaps > max_overlap_warnings) {
    found.push_back(fmt::format("{}: {} more overlapping pairs of partitions", scheme_name,
                                overlaps - max_overlap_warnings));
  }
  table.warnings.insert(table.warnings.end(), found.begin(), found.end());
}

}  // namespace diskimg
