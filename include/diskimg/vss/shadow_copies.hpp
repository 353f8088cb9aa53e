/// @file
/// Volume shadow copies (VSS) kept inside an NTFS volume: the list, and each copy as a byte
/// source of the volume as it was when the copy was taken. Between the volume's bytes and
/// NTFS: partitions -> volume -> shadow copy -> ntfs::Volume.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/core/guid.hpp>
#include <diskimg/source/byte_source.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace diskimg::vss {

/// A part of the volume that holds a store's data (the store's range list): its saved blocks
/// lie inside these. A plain value.
struct StoreExtent {
  std::uint64_t offset = 0;        ///< on the volume, in bytes
  std::uint64_t length = 0;        ///< bytes, a multiple of 16 KiB
  std::uint64_t store_offset = 0;  ///< where this part begins in the store (its file)
};

/// One shadow copy of a volume (a "store"), as the catalog and its store header describe it.
/// A plain value.
struct Snapshot {
  unsigned index = 0;              ///< from 1, oldest first (the catalog's order), as vshadowinfo numbers stores
  Guid id;                         ///< the store's identifier (vshadowinfo's "Identifier")
  Guid shadow_copy_id;             ///< from the store information
  Guid set_id;                     ///< the shadow copy set it belongs to
  std::uint64_t created = 0;       ///< creation time, FILETIME (100 ns since 1601-01-01 UTC)
  std::uint64_t volume_size = 0;   ///< the volume's size when the copy was taken
  std::uint32_t flags = 0;         ///< attribute flags (VSS_VOLSNAP_ATTR_*), as vshadowinfo prints them
  bool offline = false;            ///< marked offline (catalog flag 0x100): Windows no longer shows it
  std::vector<StoreExtent> store_extents;  ///< where the store keeps its data, by volume offset; empty when unknown
  std::string problem;             ///< why it cannot be read (a damaged store); empty when it can
};

struct ShadowCopiesState;

/// The shadow copies of one NTFS volume. Holds the volume's SourcePtr and the stores' block
/// maps (at most one entry per 16 KiB block of the volume in each);
/// const and safe from several threads once made.
class ShadowCopies {
 public:
  /// Reads the VSS header at 0x1E00 of `volume` and its catalog. A volume without one (or
  /// with shadow copies never taken) has none. A damaged catalog block ends the list there
  /// with a warning; a damaged store is listed with its problem; neither throws, so the
  /// volume itself still reads. Throws IoError when the volume cannot be read.
  explicit ShadowCopies(SourcePtr volume);
  /// Releases the maps and the share of the volume.
  ~ShadowCopies();
  /// Moves the list and maps; the moved-from object may only be destroyed or assigned.
  ShadowCopies(ShadowCopies&&) noexcept;
  /// Moves the list and maps; the moved-from object may only be destroyed or assigned.
  ShadowCopies& operator=(ShadowCopies&&) noexcept;

  /// Oldest first.
  const std::vector<Snapshot>& snapshots() const;
  /// What was found wrong while listing (each names the structure and its offset).
  const Warnings& warnings() const;
  /// The volume as shadow copy `index` (from 1) saw it: bytes the copies from `index` to
  /// the newest saved before they were overwritten, the current volume elsewhere, zeros where
  /// the newest copy's bitmap says a block was not in use. Throws UsageError for an index
  /// that is not listed, FormatError naming the store and offset when its block list or
  /// bitmaps are damaged (or those of a newer copy it reads through).
  SourcePtr open(unsigned index) const;

 private:
  std::unique_ptr<ShadowCopiesState> state_;
};

}  // namespace diskimg::vss
