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
