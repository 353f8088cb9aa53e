#include "convert/mft_changes.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/attribute_list.hpp>
#include <diskimg/ntfs/file_record.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <algorithm>
#include <array>
#include <string_view>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>

namespace diskimg {
namespace {

// Records 0-23 are the metadata files and those NTFS keeps for them.
constexpr std::uint64_t first_user_record = 24;
// $Extend: $ObjId, $Quota, $Reparse, $UsnJrnl, $RmMetadata and what they hold.
constexpr std::uint64_t extend_record = 11;
// Files Windows writes through paging I/O, without updating their records: always compared.
constexpr std::array<std::u16string_view, 3> paged_files{u"pagefile.sys", u"hiberfil.sys", u"swapfile.sys"};
// The root directory's record.
constexpr std::uint64_t root_record = 5;
// How deep $Extend's tree is followed; real volumes have two or three levels.
constexpr int max_extend_depth = 8;

// The records in $Extend's tree.
void add_extend_tree(const ntfs::Volume& volume, const ntfs::File& directory, int depth,
                     std::unordered_set<std::uint64_t>& records) {
  if (depth > max_extend_depth) return;
  for (const ntfs::DirectoryEntry& entry : volume.list_directory(directory)) {
    if (!records.insert(entry.file.record).second) continue;
    const ntfs::File child = volume.read_file(entry.file.record);
    if (child.is_directory()) add_extend_tree(volume, child, depth + 1, records);
  }
}

// A record's bytes with the fixups applied, or nothing when the record cannot be had.
std::optional<std::vector<std::byte>> fixed_record(const ntfs::Volume& volume, std::uint64_t number) {
  try {
    std::vector<std::byte> bytes = volume.read_raw_record(number);
    ntfs::apply_fixups(bytes, "record");
    return bytes;
  } catch (const FormatError&) {
    return std::nullopt;
  } catch (const NotFoundError&) {
    return std::nullopt;
  }
}

// Parses a record of the source and says whether the parent's record of that number has
// the same bytes (fixups applied on both sides).
std::optional<ntfs::FileRecord> same_record(const ntfs::Volume& source, const ntfs::Volume& parent,
                                            std::uint64_t number, std::span<std::byte> bytes) {
  std::optional<ntfs::FileRecord> record;
  try {
    record = ntfs::parse_file_record(bytes, number, source.boot_sector().total_clusters);  // fixes `bytes` up
  } catch (const FormatError&) {
    return std::nullopt;
  }
  const auto theirs = fixed_record(parent, number);
  if (!theirs || !std::equal(bytes.begin(), bytes.end(), theirs->begin(), theirs->end())) return std::nullopt;
  return record;
}

// The records holding a file's attributes when they are all the parent's too: the base
// record and the child records a resident attribute list names. Nothing when one differs
// or the list is nonresident (its clusters could change while the records stay alike).
std::optional<std::vector<ntfs::FileRecord>> unchanged_records(const ntfs::Volume& source,
                                                               const ntfs::Volume& parent,
                                                               ntfs::FileRecord base) {
  std::vector<ntfs::FileRecord> records;
  const auto list = std::find_if(base.attributes.begin(), base.attributes.end(), [](const ntfs::Attribute& a) {
    return a.type == ntfs::AttributeType::attribute_list;
  });
  if (list != base.attributes.end()) {
    if (!list->resident) return std::nullopt;
    std::vector<ntfs::AttributeListEntry> entries;
    try {
      entries = ntfs::parse_attribute_list(list->value);
    } catch (const FormatError&) {
      return std::nullopt;
    }
    std::unordered_set<std::uint64_t> seen{base.number};
    for (const ntfs::AttributeListEntry& entry : entries) {
      if (!seen.insert(entry.record.record).second) continue;
      std::vector<std::byte> bytes;
      try {
        bytes = source.read_raw_record(entry.record.record);
      } catch (const NotFoundError&) {
        return std::nullopt;
      }
      auto child = same_record(source, parent, entry.record.record, bytes);
      // A child record must be the file's own (pointing back at this base record) and no
      // metafile's: a damaged list naming $MFT's record must not make $MFT "unchanged".
      if (!child || child->number < first_user_record || child->base.record != base.number ||
          child->base.sequence != base.sequence) {
        return std::nullopt;
      }
      records.push_back(std::move(*child));
    }
  }
  records.push_back(std::move(base));
  return records;
}

// Adds the clusters of a record's nonresident attributes but index allocations (which the
// records do not describe: their INDX blocks change with the directory).
void add_clusters(const ntfs::FileRecord& record, std::uint64_t volume_offset, std::uint32_t cluster_size,
                  std::vector<CopyRange>& ranges) {
  for (const ntfs::Attribute& attribute : record.attributes) {
    if (attribute.resident || attribute.type == ntfs::AttributeType::index_allocation) continue;
    for (const ntfs::Run& run : attribute.runs) {
      if (run.sparse()) continue;
      ranges.push_back({volume_offset + *run.lcn * cluster_size, run.length * cluster_size});
    }
  }
}

// One volume: the byte ranges of its unchanged files (offsets within the disk), and how
// many files those are.
std::string unchanged_on_volume(const ntfs::Volume& source, const ntfs::Volume& parent, const Volume& volume,
                                std::vector<CopyRange>& ranges) {
  std::unordered_set<std::uint64_t> metadata;
  try {
    add_extend_tree(source, source.read_file(extend_record), 0, metadata);
    const ntfs::File root = source.read_file(root_record);
    for (const std::u16string_view name : paged_files) {
      if (const auto found = source.find_in_directory(root, name)) metadata.insert(found->file.record);
    }
  } catch (const Error& error) {
    return fmt::format("$Extend or the root cannot be listed ({}): compared whole", error.what());
  }
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  source.scan_raw_records([&](std::uint64_t number, std::span<std::byte> raw) {
    if (number < first_user_record || metadata.contains(number)) return;
    std::vector<std::byte> copy(raw.begin(), raw.end());
    auto record = same_record(source, parent, number, copy);
    if (!record || !record->in_use() || !record->is_base() || record->is_directory()) return;
    const auto records = unchanged_records(source, parent, std::move(*record));
    if (!records) return;
    const std::size_t before = ranges.size();
    for (const ntfs::FileRecord& each : *records) add_clusters(each, volume.offset, source.cluster_size(), ranges);
    for (std::size_t i = before; i < ranges.size(); ++i) bytes += ranges[i].length;
    ++files;
  });
  return fmt::format("{} files whose MFT records are the parent's: {} bytes taken as unchanged", files, bytes);
}

std::string unchanged_for(const Disk& parent, const Volume& volume, std::vector<CopyRange>& ranges) {
  if (volume.origin == VolumeOrigin::ldm) return "an LDM volume: compared whole";
  const auto other = std::find_if(parent.volumes().begin(), parent.volumes().end(), [&](const Volume& candidate) {
    return candidate.origin_name() == volume.origin_name() && candidate.offset == volume.offset &&
           candidate.filesystem == FilesystemKind::ntfs;
  });
  if (other == parent.volumes().end()) return "the parent has no NTFS volume in the same place: compared whole";
  std::shared_ptr<const ntfs::Volume> source;
  std::shared_ptr<const ntfs::Volume> before;
  try {
    source = ntfs::Volume::open(volume.bytes);
    before = ntfs::Volume::open(other->bytes);
  } catch (const FormatError& error) {
    return fmt::format("cannot be read as NTFS ({}): compared whole", error.what());
  }
  const ntfs::BootSector& a = source->boot_sector();
  const ntfs::BootSector& b = before->boot_sector();
  if (a.cluster_size != b.cluster_size || a.file_record_size != b.file_record_size ||
      a.total_clusters != b.total_clusters) {
    return "its geometry differs from the parent's volume: compared whole";
  }
  return unchanged_on_volume(*source, *before, volume, ranges);
}

}  // namespace

UnchangedByMft unchanged_by_mft(const Disk& copied, const Disk& parent) {
  UnchangedByMft result;
  for (const Volume& volume : copied.volumes()) {
    if (volume.filesystem != FilesystemKind::ntfs) continue;
    result.notes.push_back(fmt::format("changes from the MFT, volume {} ({}): {}", volume.index,
                                       volume.origin_name(), unchanged_for(parent, volume, result.ranges)));
  }
  std::sort(result.ranges.begin(), result.ranges.end(),
            [](const CopyRange& x, const CopyRange& y) { return x.offset < y.offset; });
  std::vector<CopyRange> merged;
  for (const CopyRange& range : result.ranges) {
    if (!merged.empty() && range.offset <= merged.back().end()) {
      merged.back().length = std::max(merged.back().end(), range.end()) - merged.back().offset;
    } else {
      merged.push_back(range);
    }
  }
  result.ranges = std::move(merged);
  return result;
}

}  // namespace diskimg
