#include "core/load.hpp"

#include <diskimg/ntfs/standard_information.hpp>

#include <boost/endian/buffers.hpp>

namespace diskimg::ntfs {
namespace {

using boost::endian::little_uint32_buf_t;
using boost::endian::little_uint64_buf_t;

// The $STANDARD_INFORMATION value (libfsntfs documentation, "Standard information
// attribute"; ntfs-3g layout.h STANDARD_INFORMATION). All fields little-endian.
#pragma pack(push, 1)
struct StandardInformationValue {          // NTFS 1.2: 48 bytes
  little_uint64_buf_t creation_time;       // 0x00 FILETIME
  little_uint64_buf_t modification_time;   // 0x08 data last written
  little_uint64_buf_t change_time;         // 0x10 MFT record last changed
  little_uint64_buf_t access_time;         // 0x18
  little_uint32_buf_t file_attributes;     // 0x20 FILE_ATTRIBUTE_*
  little_uint32_buf_t maximum_versions;    // 0x24 0: versioning off
  little_uint32_buf_t version_number;      // 0x28
  little_uint32_buf_t class_id;            // 0x2C
};
static_assert(sizeof(StandardInformationValue) == 48);

struct StandardInformationValue3 {         // NTFS 3.0 and later: 72 bytes
  StandardInformationValue base;           // 0x00
  little_uint32_buf_t owner_id;            // 0x30 in $Quota's $O index
  little_uint32_buf_t security_id;         // 0x34 in $Secure's $SII index
  little_uint64_buf_t quota_charged;       // 0x38
  little_uint64_buf_t usn;                 // 0x40 update sequence number
};
static_assert(sizeof(StandardInformationValue3) == 72);
#pragma pack(pop)

}  // namespace

StandardInformation parse_standard_information(std::span<const std::byte> value) {
  const auto raw = load<StandardInformationValue>(value, 0, "$STANDARD_INFORMATION");
  StandardInformation info;
  info.times = {raw.creation_time.value(), raw.modification_time.value(), raw.change_time.value(),
                raw.access_time.value()};
  info.file_attributes = Flags<FileAttribute>(raw.file_attributes.value());
  if (value.size() >= sizeof(StandardInformationValue3)) {
    const auto raw3 = load<StandardInformationValue3>(value, 0, "$STANDARD_INFORMATION");
    info.owner_id = raw3.owner_id.value();
    info.security_id = raw3.security_id.value();
    info.quota_charged = raw3.quota_charged.value();
    info.usn = raw3.usn.value();
  }
  return info;
}

}  // namespace diskimg::ntfs
