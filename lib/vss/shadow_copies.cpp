#include "vss/catalog.hpp"
#include "vss/snapshot_source.hpp"
#include "vss/store_map.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <mutex>

#include <fmt/format.h>

namespace diskimg::vss {

struct ShadowCopiesState {
  SourcePtr volume;
  Catalog catalog;
  std::mutex mutex;  // guards maps
  std::vector<std::shared_ptr<const StoreMap>> maps;  // read when a copy is first opened
  std::shared_ptr<const StoreBitmaps> newest_bitmaps;  // read when the newest copy is first opened
};

ShadowCopies::ShadowCopies(SourcePtr volume) : state_(std::make_unique<ShadowCopiesState>()) {
  state_->catalog = read_catalog(*volume);
  state_->maps.resize(state_->catalog.snapshots.size());
  state_->volume = std::move(volume);
}

ShadowCopies::~ShadowCopies() = default;
ShadowCopies::ShadowCopies(ShadowCopies&&) noexcept = default;
ShadowCopies& ShadowCopies::operator=(ShadowCopies&&) noexcept = default;

const std::vector<Snapshot>& ShadowCopies::snapshots() const { return state_->catalog.snapshots; }

const Warnings& ShadowCopies::warnings() const { return state_->catalog.warnings; }

SourcePtr ShadowCopies::open(unsigned index) const {
  const std::vector<Snapshot>& all = state_->catalog.snapshots;
  if (index == 0 || index > all.size()) {
    throw UsageError(fmt::format("{}: no shadow copy {} ({} listed)", state_->volume->name(), index, all.size()));
  }
  std::vector<std::shared_ptr<const StoreMap>> stores;
  const std::lock_guard lock(state_->mutex);
  for (std::size_t i = index - 1; i < all.size(); ++i) {
    if (!all[i].problem.empty()) {
      throw FormatError(fmt::format("vss: shadow copy {}{} cannot be read: {}", i + 1,
                                    i + 1 == index ? "" : fmt::format(" (read through for copy {})", index),
                                    all[i].problem),
                        Location{fmt::format("VSS store {}", i + 1), std::nullopt});
    }
    if (!state_->maps[i]) {
      state_->maps[i] = std::make_shared<const StoreMap>(
          read_store_map(*state_->volume, state_->catalog.places[i], all[i]));
    }
    stores.push_back(state_->maps[i]);
  }
  // Only the newest copy reads its bitmaps (blocks not in use then); the older ones read
  // such blocks through the newer stores or from the volume, as libvshadow does.
  if (index == all.size() && !state_->newest_bitmaps) {
    state_->newest_bitmaps = std::make_shared<const StoreBitmaps>(
        read_store_bitmaps(*state_->volume, state_->catalog.places[index - 1], all[index - 1]));
  }
  return snapshot_source(state_->volume, std::move(stores), index == all.size() ? state_->newest_bitmaps : nullptr,
                         state_->volume->size(),
                         fmt::format("{} (shadow copy {})", state_->volume->name(), index));
}

}  // namespace diskimg::vss
