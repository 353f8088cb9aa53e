/// @file
/// Mapping pairs: where a nonresident attribute's clusters lie.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace diskimg::ntfs {

/// One run of clusters: consecutive VCNs mapped to consecutive LCNs, or sparse.
struct Run {
  std::uint64_t vcn = 0;                 ///< first virtual cluster of the run
  std::optional<std::uint64_t> lcn;      ///< first logical cluster; empty for a sparse run
  std::uint64_t length = 0;              ///< clusters
  /// Whether the run has no clusters (it reads as zeros).
  bool sparse() const { return !lcn.has_value(); }
};

/// An attribute extent's runs, in VCN order.
using Runlist = std::vector<Run>;

/// Decodes the mapping pairs of one attribute extent that starts at `first_vcn`. Each run's
/// clusters must lie inside [0, total_clusters). Throws FormatError ("runlist: ...") on
/// fields over 8 bytes, zero-length runs, LCNs out of the volume or arithmetic overflow.
Runlist decode_runlist(std::span<const std::byte> mapping_pairs, std::uint64_t first_vcn,
                       std::uint64_t total_clusters);

}  // namespace diskimg::ntfs
