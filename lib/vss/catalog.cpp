#include "vss/catalog.hpp"

#include "core/load.hpp"
#include "vss/chain.hpp"
#include "vss/vss_structures.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace diskimg::vss {
namespace {

Guid guid_at(std::span<const std::byte> bytes) { return Guid::from_mixed_endian(bytes.first<16>()); }

struct Entries {
  std::vector<CatalogStore> stores;        // type 2, in catalog order
  std::vector<CatalogLocation> locations;  // type 3
};

// The catalog's entries, block after block; a damaged block ends it with a warning.
Entries catalog_entries(const ByteSource& volume, std::uint64_t first, Warnings& warnings) {
  Entries entries;
  try {
    walk_chain(volume, first, record_catalog, "catalog", [&](std::span<const std::byte> block, std::uint64_t) {
      for (std::size_t at = sizeof(BlockHeader); at + sizeof(CatalogEntry) <= block.size(); at += sizeof(CatalogEntry)) {
        const auto entry = load<CatalogEntry>(block, at);
        if (entry.type.value() == 2) entries.stores.push_back(load<CatalogStore>(block, at));
        if (entry.type.value() == 3) entries.locations.push_back(load<CatalogLocation>(block, at));
      }
    });
  } catch (const FormatError& error) {
    warnings.emplace_back(error.where(), fmt::format("{}; the stores listed before it are kept", error.what()));
  }
  return entries;
}

// The store header block's information: identifiers and attribute flags.
void read_store_information(const ByteSource& volume, std::uint64_t offset, Snapshot& snapshot) {
  walk_chain(volume, offset, record_store_header, fmt::format("header of store {}", snapshot.index),
             [&](std::span<const std::byte> block, std::uint64_t at) {
               if (at != offset) return;  // the information is in the first block
               const auto header = load<BlockHeader>(block);
               if (header.information_size.value() < sizeof(StoreInformation)) {
                 throw FormatError(fmt::format("vss: header of store {} at offset {:#x}: {} bytes of store information "
                                               "({} at least)", snapshot.index, at, header.information_size.value(),
                                               sizeof(StoreInformation)),
                                   Location{"VSS store header", at});
               }
               const auto information = load<StoreInformation>(block, sizeof(BlockHeader));
               snapshot.shadow_copy_id = guid_at(information.shadow_copy_id);
               snapshot.set_id = guid_at(information.shadow_copy_set_id);
               snapshot.flags = information.attribute_flags.value();
             });
}

// The store's range list: the parts of the volume its data is in, sorted by offset. Each
// must be whole 16 KiB blocks inside the volume, apart from the others, so the list holds
// no more parts than the volume has blocks.
std::vector<StoreExtent> read_store_extents(const ByteSource& volume, std::uint64_t first, unsigned index) {
  std::vector<StoreExtent> extents;
  std::uint64_t total = 0;
  const std::string what = fmt::format("range list of store {}", index);
  walk_chain(volume, first, record_range_list, what, [&](std::span<const std::byte> block, std::uint64_t offset) {
    for (std::size_t at = sizeof(BlockHeader); at + sizeof(RangeEntry) <= block.size(); at += sizeof(RangeEntry)) {
      const auto entry = load<RangeEntry>(block, at);
      const std::uint64_t start = entry.volume_offset.value();
      const std::uint64_t length = entry.size.value();
      if (length == 0) continue;  // an empty slot
      if (start % block_size != 0 || length % block_size != 0 || start >= volume.size() ||
          length > volume.size() - start || length > volume.size() - total) {
        throw FormatError(fmt::format("vss: {}: the entry at offset {:#x} ({} bytes at {:#x}) is not whole 16 KiB "
                                      "blocks inside the volume ({} bytes, {} already in the list)",
                                      what, offset + at, length, start, volume.size(), total),
                          Location{fmt::format("VSS {}", what), offset + at});
      }
      total += length;
      extents.push_back(StoreExtent{start, length, entry.store_offset.value()});
    }
  });
  std::sort(extents.begin(), extents.end(), [](const StoreExtent& a, const StoreExtent& b) { return a.offset < b.offset; });
  for (std::size_t i = 1; i < extents.size(); ++i) {
    if (extents[i].offset < extents[i - 1].offset + extents[i - 1].length) {
      throw FormatError(fmt::format("vss: {}: the parts at {:#x} and {:#x} overlap", what, extents[i - 1].offset,
                                    extents[i].offset),
                        Location{fmt::format("VSS {}", what), first});
    }
  }
  return extents;
}

}  // namespace

Catalog read_catalog(const ByteSource& volume) {
  Catalog catalog;
  if (volume.size() < volume_header_offset + sizeof(VolumeHeader)) return catalog;
  const std::vector<std::byte> bytes = volume.read(volume_header_offset, sizeof(VolumeHeader));
  const auto header = load<VolumeHeader>(bytes);
  if (!is_vss_identifier(bytes) || header.record_type.value() != 1) return catalog;  // no VSS here
  if (header.catalog_offset.value() == 0) return catalog;                           // none taken
  const Entries entries = catalog_entries(volume, header.catalog_offset.value(), catalog.warnings);

  // Oldest first, as libvshadow and vshadowinfo number them (the catalog need not be in order).
  std::vector<CatalogStore> stores = entries.stores;
  std::stable_sort(stores.begin(), stores.end(),
                   [](const CatalogStore& a, const CatalogStore& b) { return a.created.value() < b.created.value(); });
  for (const CatalogStore& store : stores) {
    Snapshot snapshot;
    snapshot.index = static_cast<unsigned>(catalog.snapshots.size() + 1);
    snapshot.id = guid_at(store.store_id);
    snapshot.created = store.created.value();
    snapshot.volume_size = store.volume_size.value();
    StorePlaces places;
    places.catalog_flags = store.flags.value();
    snapshot.offline = (places.catalog_flags & store_offline) != 0;
    const auto location = std::find_if(entries.locations.begin(), entries.locations.end(), [&](const CatalogLocation& l) {
      return l.store_id == store.store_id;
    });
    if (location == entries.locations.end()) {
      snapshot.problem = "the catalog has no location entry for this store";
    } else {
      places.block_list = location->block_list_offset.value();
      places.header = location->header_offset.value();
      places.bitmap = location->bitmap_offset.value();
      places.previous_bitmap = location->previous_bitmap_offset.value();
      try {
        read_store_information(volume, places.header, snapshot);
        if (location->range_list_offset.value() != 0) {
          snapshot.store_extents = read_store_extents(volume, location->range_list_offset.value(), snapshot.index);
        }
      } catch (const FormatError& error) {
        snapshot.problem = error.what();
      }
    }
    catalog.snapshots.push_back(std::move(snapshot));
    catalog.places.push_back(places);
  }
  return catalog;
}

}  // namespace diskimg::vss
