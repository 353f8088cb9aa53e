#include "core/load.hpp"
#include "ntfs/security_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/security.hpp>
#include <diskimg/ntfs/stream.hpp>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

constexpr std::uint64_t secure_record = 9;
// $SDS is written in 256 KiB blocks, each followed by its mirror copy.
constexpr std::uint64_t sds_block = 256u << 10;
constexpr std::uint8_t max_sub_authorities = 15;
// Descriptors read at most: far more than any real volume keeps (a few MiB), so that a
// damaged $SDS claiming terabytes of mapped clusters costs a bounded time.
constexpr std::uint64_t max_sds_scanned = 1ull << 30;

// A SID's text at `offset` of `bytes`: S-REVISION-AUTHORITY-SUB-SUB...
std::string sid_text(std::span<const std::byte> bytes, std::size_t offset) {
  const auto sid = load<disk::SidHeader>(bytes, offset, "SID");
  if (sid.sub_authority_count > max_sub_authorities) {
    throw FormatError(fmt::format("ntfs: SID at offset {} claims {} sub-authorities (at most 15)", offset,
                                  sid.sub_authority_count),
                      {"SID", offset});
  }
  std::string text = fmt::format("S-{}-{}", sid.revision, sid.identifier_authority.value());
  for (std::size_t i = 0; i < sid.sub_authority_count; ++i) {
    text += fmt::format("-{}", load<boost::endian::little_uint32_buf_t>(bytes, offset + 8 + 4 * i, "SID").value());
  }
  return text;
}

}  // namespace

std::optional<std::string> owner_sid(std::span<const std::byte> descriptor) {
  const auto header = load<disk::SecurityDescriptorHeader>(descriptor, 0, "security descriptor");
  const std::uint32_t owner = header.owner_offset.value();
  if (owner == 0) return std::nullopt;
  return sid_text(descriptor, owner);
}

SecurityOwners SecurityOwners::read(const Volume& volume) {
  SecurityOwners owners;
  std::shared_ptr<const Stream> sds;
  try {
    sds = volume.open_stream(volume.read_file(secure_record), AttributeType::data, "$SDS");
  } catch (const NotFoundError&) {
    return owners;  // NTFS 1.2: descriptors live in each file
  } catch (const FormatError&) {
    return owners;
  }
  std::vector<std::byte> block;
  std::uint64_t scanned = 0;
  for (std::uint64_t start = 0; start < sds->size() && scanned < max_sds_scanned; start += 2 * sds_block) {
    // Holes hold no descriptors: go on from the block pair where data is next.
    const std::uint64_t data = sds->next_data(start);
    if (data >= sds->size()) break;
    start = std::max(start, data / (2 * sds_block) * (2 * sds_block));
    block.resize(static_cast<std::size_t>(std::min(sds_block, sds->size() - start)));
    scanned += block.size();
    sds->read(start, block);
    for (std::size_t at = 0; at + sizeof(disk::SdsEntryHeader) <= block.size();) {
      const auto entry = load<disk::SdsEntryHeader>(block, at, "$SDS entry");
      const std::uint32_t length = entry.length.value();
      if (length <= sizeof(disk::SdsEntryHeader) || length > block.size() - at) break;  // the block's end
      try {
        const auto descriptor = std::span(block).subspan(at + sizeof(disk::SdsEntryHeader),
                                                         length - sizeof(disk::SdsEntryHeader));
        if (auto sid = owner_sid(descriptor)) owners.owners_.try_emplace(entry.security_id.value(), std::move(*sid));
      } catch (const FormatError&) {
        // a damaged entry names no owner
      }
      at += (length + 15) / 16 * 16;
    }
  }
  return owners;
}

std::optional<std::string> SecurityOwners::find(std::uint32_t security_id) const {
  const auto found = owners_.find(security_id);
  if (found == owners_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string> SecurityOwners::owner_of(const Volume& volume, const File& file) const {
  if (file.find(AttributeType::security_descriptor) != nullptr) {
    const auto stream = volume.open_stream(file, AttributeType::security_descriptor);
    constexpr std::uint64_t max_descriptor = 64u << 10;
    if (stream->size() <= max_descriptor) {
      return owner_sid(stream->read(0, static_cast<std::size_t>(stream->size())));
    }
  }
  const auto information = file.standard_information();
  if (information && information->security_id) return find(*information->security_id);
  return std::nullopt;
}

}  // namespace diskimg::ntfs
