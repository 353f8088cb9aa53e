// Security descriptors as NTFS stores them: self-relative SECURITY_DESCRIPTORs ([MS-DTYP]
// 2.4.6) with their SIDs (2.4.2.2), in the $SDS stream of $Secure ($SDS entries: libfsntfs
// documentation "Security descriptor stream"; ntfs-3g layout.h SECURITY_DESCRIPTOR_HEADER)
// or in a file's own $SECURITY_DESCRIPTOR attribute (NTFS 1.2).
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstdint>

namespace diskimg::ntfs::disk {

using boost::endian::big_uint48_buf_t;
using boost::endian::little_uint16_buf_t;
using boost::endian::little_uint32_buf_t;
using boost::endian::little_uint64_buf_t;

#pragma pack(push, 1)
struct SecurityDescriptorHeader {   // a self-relative SECURITY_DESCRIPTOR
  std::uint8_t revision;            // 0x00 1
  std::uint8_t sbz1;                // 0x01
  little_uint16_buf_t control;      // 0x02 SE_SELF_RELATIVE (0x8000) among others
  little_uint32_buf_t owner_offset; // 0x04 from the descriptor's start; 0 when none
  little_uint32_buf_t group_offset; // 0x08
  little_uint32_buf_t sacl_offset;  // 0x0C
  little_uint32_buf_t dacl_offset;  // 0x10
};
static_assert(sizeof(SecurityDescriptorHeader) == 20);

struct SidHeader {                         // a SID; sub-authorities follow, 4 bytes each
  std::uint8_t revision;                   // 0x00 1
  std::uint8_t sub_authority_count;        // 0x01 at most 15
  big_uint48_buf_t identifier_authority;   // 0x02 big-endian: 5 for NT AUTHORITY
};
static_assert(sizeof(SidHeader) == 8);

struct SdsEntryHeader {                    // before each descriptor in $SDS, 16-byte aligned
  little_uint32_buf_t hash;                // 0x00
  little_uint32_buf_t security_id;         // 0x04 what $STANDARD_INFORMATION names
  little_uint64_buf_t offset;              // 0x08 of this entry in $SDS
  little_uint32_buf_t length;              // 0x10 of the entry, this header included
};
static_assert(sizeof(SdsEntryHeader) == 20);
#pragma pack(pop)

}  // namespace diskimg::ntfs::disk
