// On-disk structures of Volume Shadow Copies kept inside an NTFS volume (the "Microsoft
// Software Shadow Copy provider 1.0"). Source: libyal/libvshadow's "Volume Shadow Snapshot
// (VSS) format" (Joachim Metz), checked against the Windows 10 sample of ../shared/vss-sample
// and msuhanov/dfir_ntfs's notes on the store flags. All fields little-endian; every offset
// is a byte offset from the start of the volume unless said otherwise.
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace diskimg::vss {

using boost::endian::little_uint32_buf_t;
using boost::endian::little_uint64_buf_t;

// Everything VSS keeps is in blocks of 16 KiB (catalog, block lists, bitmaps, saved data).
inline constexpr std::uint64_t block_size = 16384;
inline constexpr std::uint64_t volume_header_offset = 0x1E00;

#pragma pack(push, 1)
struct VolumeHeader {                      // at 0x1E00 of the volume, inside $Boot
  std::array<std::byte, 16> identifier;    // 0x00 the VSS GUID, 3808876b-c176-4e48-b7ae-04046e6cc752
  little_uint32_buf_t version;             // 0x10 1 (Vista, 7) or 2 (8 and later)
  little_uint32_buf_t record_type;         // 0x14 1
  little_uint64_buf_t current_offset;      // 0x18 0x1E00
  little_uint64_buf_t unknown1;            // 0x20
  little_uint64_buf_t unknown2;            // 0x28
  little_uint64_buf_t catalog_offset;      // 0x30 the first catalog block; 0 when there is none
  little_uint64_buf_t maximum_size;        // 0x38 of the shadow storage; 0 unbounded
  std::array<std::byte, 16> volume_id;     // 0x40
  std::array<std::byte, 16> storage_id;    // 0x50 the volume holding the stores
};
static_assert(sizeof(VolumeHeader) == 0x60);

struct BlockHeader {                       // the first 128 bytes of every catalog and store block
  std::array<std::byte, 16> identifier;    // 0x00 the VSS GUID
  little_uint32_buf_t version;             // 0x10 1
  little_uint32_buf_t record_type;         // 0x14 one of the record_* below
  little_uint64_buf_t relative_offset;     // 0x18 from the first block of its list
  little_uint64_buf_t current_offset;      // 0x20 where this block is
  little_uint64_buf_t next_offset;         // 0x28 the next block of the list; 0 for the last
  little_uint64_buf_t information_size;    // 0x30 store header: bytes of store information after it
  std::array<std::byte, 72> unknown;       // 0x38
};
static_assert(sizeof(BlockHeader) == 128);

inline constexpr std::uint32_t record_catalog = 2;
inline constexpr std::uint32_t record_block_list = 3;
inline constexpr std::uint32_t record_store_header = 4;
inline constexpr std::uint32_t record_range_list = 5;
inline constexpr std::uint32_t record_bitmap = 6;

struct CatalogEntry {                      // 128 bytes, after a catalog block's header
  little_uint64_buf_t type;                // 0x00 0 empty (the list's end), 1 unused, 2 store, 3 its location
  std::array<std::byte, 120> fields;       // read as CatalogStore or CatalogLocation
};
static_assert(sizeof(CatalogEntry) == 128);

struct CatalogStore {                      // catalog entry of type 2
  little_uint64_buf_t type;                // 0x00 2
  little_uint64_buf_t volume_size;         // 0x08 of the volume when the copy was taken
  std::array<std::byte, 16> store_id;      // 0x10 names the store file; pairs with a type 3
  little_uint64_buf_t sequence;            // 0x20 stack position
  little_uint64_buf_t flags;               // 0x28 0x100: offline (deleted); 0x400: unused blocks read as zeros
  little_uint64_buf_t created;             // 0x30 FILETIME
  std::array<std::byte, 72> unknown;       // 0x38
};
static_assert(sizeof(CatalogStore) == 128);

struct CatalogLocation {                   // catalog entry of type 3
  little_uint64_buf_t type;                // 0x00 3
  little_uint64_buf_t block_list_offset;   // 0x08 first block descriptor list block
  std::array<std::byte, 16> store_id;      // 0x10
  little_uint64_buf_t header_offset;       // 0x20 the store header block
  little_uint64_buf_t range_list_offset;   // 0x28 where the store's data is on the volume
  little_uint64_buf_t bitmap_offset;       // 0x30 current bitmap, first block
  little_uint64_buf_t file_reference;      // 0x38 of the store file in System Volume Information
  little_uint64_buf_t allocated_size;      // 0x40
  little_uint64_buf_t previous_bitmap_offset;  // 0x48 0 when there is none
  std::array<std::byte, 48> unknown;       // 0x50
};
static_assert(sizeof(CatalogLocation) == 128);

struct StoreInformation {                  // after the store header block's 128-byte header
  std::array<std::byte, 16> unknown_id;    // 0x00
  std::array<std::byte, 16> shadow_copy_id;      // 0x10
  std::array<std::byte, 16> shadow_copy_set_id;  // 0x20
  little_uint32_buf_t type;                // 0x30
  little_uint32_buf_t provider;            // 0x34
  little_uint32_buf_t attribute_flags;     // 0x38 VSS_VOLSNAP_ATTR_*
  little_uint32_buf_t unknown;             // 0x3C
  // 0x40: UTF-16 operating machine and service machine names, each after a 16-bit byte count
};
static_assert(sizeof(StoreInformation) == 0x40);

struct BlockDescriptor {                   // 32 bytes, after a block list block's header
  little_uint64_buf_t original_offset;     // 0x00 the volume block this saves
  little_uint64_buf_t relative_offset;     // 0x08 in the store; a forwarder: the block it forwards to
  little_uint64_buf_t store_offset;        // 0x10 where the saved 16 KiB are
  little_uint32_buf_t flags;               // 0x18 descriptor_* below
  little_uint32_buf_t allocation_bitmap;   // 0x1C overlay: bit i = 512-byte sector i is in it
};
static_assert(sizeof(BlockDescriptor) == 32);

struct RangeEntry {                        // 24 bytes, after a range list block's header
  little_uint64_buf_t volume_offset;       // 0x00 where this part of the store is on the volume
  little_uint64_buf_t store_offset;        // 0x08 its offset in the store (a descriptor's relative offset)
  little_uint64_buf_t size;                // 0x10 bytes; 0 for an empty slot
};
static_assert(sizeof(RangeEntry) == 24);
#pragma pack(pop)

inline constexpr std::uint32_t descriptor_forwarder = 0x1;
inline constexpr std::uint32_t descriptor_overlay = 0x2;
inline constexpr std::uint32_t descriptor_not_used = 0x4;

inline constexpr std::uint64_t store_offline = 0x100;

// The VSS GUID in its on-disk (mixed-endian) bytes.
inline constexpr std::array<unsigned char, 16> vss_identifier = {
    0x6B, 0x87, 0x08, 0x38, 0x76, 0xC1, 0x48, 0x4E, 0xB7, 0xAE, 0x04, 0x04, 0x6E, 0x6C, 0xC7, 0x52};

}  // namespace diskimg::vss
