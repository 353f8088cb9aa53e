// Directory indexes: $INDEX_ROOT, INDX blocks of $INDEX_ALLOCATION and index entries.
// Sources: libfsntfs documentation, section "Index"; ntfs-3g layout.h (INDEX_ROOT,
// INDEX_BLOCK, INDEX_HEADER, INDEX_ENTRY).
#pragma once

#include "ntfs/record_structures.hpp"

namespace diskimg::ntfs::disk {

#pragma pack(push, 1)
struct IndexNodeHeader {                   // offsets relative to this header
  little_uint32_buf_t entries_offset;      // 0x00
  little_uint32_buf_t index_length;        // 0x04 bytes in use, header included
  little_uint32_buf_t allocated_size;      // 0x08
  std::uint8_t flags;                      // 0x0C 0x01: entries have sub-nodes
  std::array<std::uint8_t, 3> reserved;    // 0x0D
};
static_assert(sizeof(IndexNodeHeader) == 16);

struct IndexRootValue {                    // $INDEX_ROOT value
  little_uint32_buf_t indexed_type;        // 0x00 0x30 for $I30
  little_uint32_buf_t collation_rule;      // 0x04 1 = file names
  little_uint32_buf_t index_block_size;    // 0x08 bytes
  std::uint8_t clusters_per_index_block;   // 0x0C
  std::array<std::uint8_t, 3> reserved;    // 0x0D
  IndexNodeHeader node;                    // 0x10
};
static_assert(sizeof(IndexRootValue) == 32);

struct IndexBlockHeader {                  // "INDX" record of $INDEX_ALLOCATION
  RecordHeader header;                     // 0x00
  little_uint64_buf_t vcn;                 // 0x10 the block's own VCN
  IndexNodeHeader node;                    // 0x18
};
static_assert(sizeof(IndexBlockHeader) == 40);

struct IndexEntryHeader {                  // then the key; a sub-node VCN in the last 8 bytes
  little_uint64_buf_t file_reference;      // 0x00
  little_uint16_buf_t length;              // 0x08
  little_uint16_buf_t key_length;          // 0x0A
  little_uint16_buf_t flags;               // 0x0C 0x01 sub-node, 0x02 last entry
  little_uint16_buf_t reserved;            // 0x0E
};
static_assert(sizeof(IndexEntryHeader) == 16);
#pragma pack(pop)

inline constexpr std::uint16_t entry_has_subnode = 0x01;
inline constexpr std::uint16_t entry_is_last = 0x02;
inline constexpr std::uint8_t node_has_subnodes = 0x01;

}  // namespace diskimg::ntfs::disk
