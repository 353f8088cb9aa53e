// A shadow copy as a byte source: the volume as it was when the copy was taken.
#pragma once

#include "vss/store_map.hpp"

#include <diskimg/source/byte_source.hpp>

#include <memory>
#include <string>
#include <vector>

namespace diskimg::vss {

// `stores`: the maps of the copy read (first) and of every newer one, oldest first: a block
// the copy did not save is read through the newer ones, which saved it later, else from the
// volume as it is now. `bitmaps`: the copy's own when it is the newest (blocks not in use
// then read as zeros); null otherwise.
SourcePtr snapshot_source(SourcePtr volume, std::vector<std::shared_ptr<const StoreMap>> stores,
                          std::shared_ptr<const StoreBitmaps> bitmaps, std::uint64_t size, std::string name);

}  // namespace diskimg::vss
