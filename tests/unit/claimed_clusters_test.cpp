// extract's guard against cross-linked clusters (lib/extract/claimed_clusters.hpp).
#include "extract/claimed_clusters.hpp"

#include <doctest/doctest.h>

using namespace diskimg;

namespace {

ntfs::Run run(std::uint64_t vcn, std::optional<std::uint64_t> lcn, std::uint64_t length) { return {vcn, lcn, length}; }

}  // namespace

TEST_CASE("clusters are claimed once; a second claim names the first cluster taken and claims nothing") {
  ClaimedClusters claimed;
  CHECK_FALSE(claimed.claim({run(0, 100, 5000), run(5000, std::nullopt, 10), run(5010, 9000, 3)}));
  // Across a word and a page boundary: 4095..4100 lie in clusters 100..5099.
  CHECK(claimed.claim({run(0, 4095, 6)}) == 4095);
  CHECK(claimed.claim({run(0, 20000, 4), run(4, 9002, 1)}) == 9002);
  // The refused claim took nothing: 20000..20003 are still free.
  CHECK_FALSE(claimed.claim({run(0, 20000, 4)}));
  CHECK(claimed.claim({run(0, 99, 2)}) == 100);
  CHECK_FALSE(claimed.claim({run(0, 99, 1), run(1, 5100, 1)}));
}

TEST_CASE("a run that names its own clusters twice is refused whole") {
  ClaimedClusters claimed;
  CHECK(claimed.claim({run(0, 7, 1), run(1, 7, 1)}) == 7);
  CHECK_FALSE(claimed.claim({run(0, 7, 1)}));  // nothing of the refused file stayed claimed
}

TEST_CASE("runs of any length, near the top of the numbers, cost an entry each, not their length") {
  ClaimedClusters claimed;
  const std::uint64_t far = (1ULL << 62) + 12345;
  CHECK_FALSE(claimed.claim({run(0, 1, 1), run(1, far, 2)}));
  CHECK(claimed.claim({run(0, far + 1, 1)}) == far + 1);
  // 2^36 clusters (256 TiB of 4 KiB clusters): one entry.
  CHECK_FALSE(claimed.claim({run(0, 1ULL << 40, 1ULL << 36)}));
  CHECK_FALSE(claimed.claim({run(0, ~0ULL - 5, 100)}));  // cut at the last cluster number
  CHECK(claimed.claim({run(0, ~0ULL - 1, 1)}) == ~0ULL - 1);
  CHECK(claimed.claim({run(0, (1ULL << 40) + (1ULL << 35), 1)}) == (1ULL << 40) + (1ULL << 35));
}
