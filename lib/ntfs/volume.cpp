#include "core/load.hpp"
#include "core/io_bytes.hpp"
#include "core/read_ahead.hpp"
#include "core/utf.hpp"
#include "ntfs/record_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <algorithm>
#include <bit>
#include <set>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

// ntfs-3g caps $MFT's list at 256 KiB and TSK caps lists after an out-of-memory fuzz
// finding; Windows refuses to grow a list past about 256 KiB. Larger is hostile.
constexpr std::uint64_t max_attribute_list_bytes = 4u << 20;
constexpr std::uint64_t mft_record = 0;
constexpr std::uint64_t volume_record = 3;
constexpr std::uint64_t upcase_record = 10;

std::vector<std::byte> read_attribute_list(const Attribute& list, SourcePtr source,
                                           StreamGeometry geometry, std::uint64_t record) {
  if (list.resident) return list.value;
  if (list.data_size > max_attribute_list_bytes) {
    throw FormatError(fmt::format("ntfs: MFT record {}: $ATTRIBUTE_LIST of {} bytes exceeds "
                                  "the {}-byte limit", record, list.data_size,
                                  max_attribute_list_bytes),
                      {fmt::format("MFT record {}", record), std::nullopt});
  }
  const Stream stream(std::move(source), geometry, {&list},
                      fmt::format("ntfs: MFT record {} $ATTRIBUTE_LIST", record));
  return stream.read(0, static_cast<std::size_t>(stream.size()));
}

bool is_unnamed_data(const Attribute& attribute) {
  return attribute.type == AttributeType::data && attribute.name.empty();
}

std::vector<const Attribute*> pointers_in_vcn_order(const std::vector<Attribute>& extents) {
  std::vector<const Attribute*> pointers;
  for (const Attribute& extent : extents) pointers.push_back(&extent);
  std::sort(pointers.begin(), pointers.end(),
            [](const Attribute* a, const Attribute* b) { return a->first_vcn < b->first_vcn; });
  return pointers;
}

}  // namespace

std::shared_ptr<const Volume> Volume::open(SourcePtr source) {
  std::shared_ptr<Volume> volume(new Volume());
  volume->source_ = std::move(source);
  const ByteSource& bytes = *volume->source_;
  if (bytes.size() < 512) {
    throw FormatError(fmt::format("ntfs: {} ({} bytes) is too small for a boot sector",
                                  bytes.name(), bytes.size()),
                      {"NTFS boot sector", 0});
  }
  try {
    volume->boot_ = parse_boot_sector(bytes.read(0, 512), bytes.size());
  } catch (const FormatError& primary) {
    volume->boot_ = volume->read_backup_boot_sector(primary.what());
  }
  volume->bootstrap_mft();
  volume->load_upcase();
  return volume;
}

BootSector Volume::read_backup_boot_sector(const std::string& primary_fault) {
  // The backup lies in the volume's last sector, outside the size the primary gives.
  const std::uint64_t size = source_->size();
  for (const std::uint64_t sector_size : {512u, 4096u}) {
    if (size < 2 * sector_size) continue;
    const std::uint64_t offset = size / sector_size * sector_size - sector_size;
    try {
      BootSector boot = parse_boot_sector(source_->read(offset, 512), size);
      if (boot.bytes_per_sector != sector_size) continue;
      warnings_.emplace_back(Location{"NTFS boot sector", 0},
                             fmt::format("{}; using the backup boot sector at offset {:#x}",
                                         primary_fault, offset));
      return boot;
    } catch (const FormatError&) {
    }
  }
  throw FormatError(primary_fault + "; no usable backup boot sector at the volume's end",
                    {"NTFS boot sector", 0});
}

void Volume::bootstrap_mft() {
  try {
    bootstrap_mft_from(boot_.mft_lcn);
  } catch (const FormatError& error) {
    // $MFTMirr holds copies of the first four records: enough to find the MFT again.
    mft_extents_.clear();
    try {
      bootstrap_mft_from(boot_.mft_mirror_lcn);
    } catch (const FormatError&) {
      throw error;
    }
    warnings_.emplace_back(error.where(), std::string(error.what()) + "; read $MFT's runs from $MFTMirr");
  }
}

void Volume::bootstrap_mft_from(std::uint64_t lcn) {
  const std::uint64_t record_size = boot_.file_record_size;
  const std::uint64_t offset = lcn * boot_.cluster_size;
  std::vector<std::byte> bytes = source_->read(offset, record_size);
  FileRecord zero = parse_file_record(bytes, mft_record, boot_.total_clusters, offset);
  for (const Attribute& attribute : zero.attributes) {
    if (is_unnamed_data(attribute)) mft_extents_.push_back(attribute);
  }
  if (mft_extents_.empty() || mft_extents_.front().resident) {
    throw FormatError(fmt::format("ntfs: $MFT record 0 (volume offset {:#x}) has no "
                                  "nonresident $DATA", offset),
                      {"MFT record 0", offset});
  }
  const auto list = std::find_if(zero.attributes.begin(), zero.attributes.end(),
                                 [](const Attribute& a) { return a.type == AttributeType::attribute_list; });
  if (list != zero.attributes.end()) add_mft_extents_from_list(*list, zero.sequence);
  mft_ = std::make_shared<Stream>(source_, geometry(), pointers_in_vcn_order(mft_extents_), "$MFT");
  count_present_records(offset);  // also refuses a $MFT without runs
  if (mft_->runs().front().lcn != boot_.mft_lcn) {
    warnings_.emplace_back(Location{"MFT record 0", boot_.mft_lcn * boot_.cluster_size},
                           fmt::format("ntfs: $MFT's first run starts at LCN {}, the boot sector says {}",
                                       mft_->runs().front().lcn.value_or(0), boot_.mft_lcn));
  }
}

// Records lie only in the clusters $MFT's runs map, up to the first sparse run (Windows
// never makes $MFT sparse), and below its initialized size: past that a record reads as
// zeros and can hold nothing. A hostile data size over a sparse tail would otherwise make
// every scan, and every array sized per record, as large as it likes.
void Volume::count_present_records(std::uint64_t record_zero_offset) {
  const std::uint64_t record_size = boot_.file_record_size;
  const Location where{"MFT record 0", record_zero_offset};
  if (mft_->runs().empty()) {
    throw FormatError(fmt::format("ntfs: MFT record 0 (volume offset {:#x}): $MFT's $DATA has no runs",
                                  record_zero_offset),
                      where);
  }
  std::uint64_t mapped = 0;
  for (const Run& run : mft_->runs()) {
    if (run.sparse()) break;
    mapped = (run.vcn + run.length) * boot_.cluster_size;
  }
  const std::uint64_t present = std::min({mapped, mft_->initialized_size(), mft_->size()});
  const std::uint64_t claimed = mft_->size() / record_size;
  record_count_ = present / record_size;
  if (record_count_ == 0) {
    throw FormatError(fmt::format("ntfs: MFT record 0 (volume offset {:#x}): $MFT's $DATA maps no "
                                  "record ({} bytes initialized, its first run {})", record_zero_offset,
                                  mft_->initialized_size(), mft_->runs().front().sparse() ? "sparse" : "short"),
                      where);
  }
  if (record_count_ < claimed) {
    warnings_.emplace_back(where, fmt::format(
        "ntfs: MFT record 0 (volume offset {:#x}): $MFT's $DATA claims {} records ({} bytes) but "
        "only {} records lie in clusters it maps below its initialized size ({} bytes); the other "
        "{} are ignored", record_zero_offset, claimed, mft_->size(), record_count_,
        mft_->initialized_size(), claimed - record_count_));
  }
}

// $MFT's $DATA continues in extension records that lie in the MFT itself: each is read
// through the runs known so far, in VCN order (ntfs-3g ntfs_mft_load, TSK ntfs_load_attrs).
void Volume::add_mft_extents_from_list(const Attribute& list, std::uint16_t sequence) {
  const std::uint64_t record_size = boot_.file_record_size;
  const auto entries = parse_attribute_list(read_attribute_list(list, source_, geometry(), 0));
  std::vector<const AttributeListEntry*> data_entries;
  for (const AttributeListEntry& entry : entries) {
    if (entry.type == AttributeType::data && entry.name.empty() && entry.record.record != 0) {
      data_entries.push_back(&entry);
    }
  }
  std::sort(data_entries.begin(), data_entries.end(),
            [](const auto* a, const auto* b) { return a->first_vcn < b->first_vcn; });
  for (const AttributeListEntry* entry : data_entries) {
    const bool have = std::any_of(mft_extents_.begin(), mft_extents_.end(),
                                  [&](const Attribute& a) { return a.first_vcn == entry->first_vcn; });
    if (have) continue;
    // The first extent carries the whole $MFT's sizes; until the rest is known, read only
    // as far as the known runs go.
    std::vector<Attribute> known = mft_extents_;
    std::sort(known.begin(), known.end(),
              [](const Attribute& a, const Attribute& b) { return a.first_vcn < b.first_vcn; });
    const std::uint64_t mapped = (known.back().last_vcn + 1) * boot_.cluster_size;
    known.front().data_size = std::min(known.front().data_size, mapped);
    known.front().initialized_size = std::min(known.front().initialized_size, mapped);
    const Stream known_mft(source_, geometry(), pointers_in_vcn_order(known), "$MFT");
    const std::uint64_t child = entry->record.record;
    if (child >= known_mft.size() / record_size) {
      throw FormatError(fmt::format("ntfs: $MFT extension record {} lies beyond the {} records "
                                    "its known runs map", child, known_mft.size() / record_size),
                        {fmt::format("MFT record {}", child), std::nullopt});
    }
    std::vector<std::byte> bytes = known_mft.read(child * record_size, record_size);
    FileRecord extension = parse_file_record(bytes, child, boot_.total_clusters);
    if (extension.base != RecordReference{mft_record, sequence}) {
      throw FormatError(fmt::format("ntfs: $MFT extension record {} does not point back to "
                                    "record 0", child),
                        {fmt::format("MFT record {}", child), known_mft.volume_offset(child * record_size)});
    }
    const auto extent = std::find_if(extension.attributes.begin(), extension.attributes.end(),
                                     [&](const Attribute& a) {
                                       return is_unnamed_data(a) && a.first_vcn == entry->first_vcn;
                                     });
    if (extent == extension.attributes.end() || extent->resident) {
      throw FormatError(fmt::format("ntfs: $MFT extension record {} has no $DATA extent at VCN "
                                    "{}", child, entry->first_vcn),
                        {fmt::format("MFT record {}", child), known_mft.volume_offset(child * record_size)});
    }
    mft_extents_.push_back(*extent);
  }
}

namespace {

bool maps_every_byte(const Stream& stream, std::uint64_t length, std::uint64_t step) {
  if (stream.resident() || stream.compressed() || stream.initialized_size() < length) return false;
  for (std::uint64_t offset = 0; offset < length; offset += step) {
    if (!stream.volume_offset(offset)) return false;
  }
  return true;
}

std::vector<char16_t> read_upcase_units(const Stream& stream, std::size_t units) {
  std::vector<char16_t> table(units);
  stream.read(0, std::as_writable_bytes(std::span(table)));
  if constexpr (std::endian::native == std::endian::big) {
    for (char16_t& unit : table) unit = static_cast<char16_t>((unit >> 8) | (unit << 8));
  }
  return table;
}

}  // namespace

void Volume::load_upcase() {
  try {
    const File file = read_file(upcase_record);
    upcase_stream_ = open_stream(file);
    upcase_units_ = static_cast<std::size_t>(std::min<std::uint64_t>(upcase_stream_->size(), 131072) / 2);
    // The rest is left for later only when nothing but a failing disk can keep it from being
    // read then: every byte in clusters of the volume (not resident, sparse, compressed,
    // past the initialized size). Otherwise the whole table is read now, and what fails is a
    // warning, as it always was.
    const bool lazy = upcase_units_ > upcase_first_units && maps_every_byte(*upcase_stream_, upcase_units_ * 2, boot_.cluster_size);
    upcase_ = read_upcase_units(*upcase_stream_, lazy ? upcase_first_units : upcase_units_);
  } catch (const Error& error) {
    upcase_units_ = 0;
    warnings_.emplace_back(error.where(), std::string(error.what()) + "; names compare by ASCII case only");
  }
}

// The whole table, read once by the first thread that needs a unit past the first ones.
// Only a read error of the disk can fail it (load_upcase checked that every byte lies in
// the volume's clusters); the units past the first ones then fold as ASCII.
char16_t Volume::upcase_beyond_first_page(char16_t unit) const {
  std::call_once(upcase_rest_once_, [this] {
    try {
      upcase_rest_ = read_upcase_units(*upcase_stream_, upcase_units_);
    } catch (const Error&) {
      upcase_rest_.clear();
    } catch (const std::bad_alloc&) {
      upcase_rest_.clear();
    }
  });
  return unit < upcase_rest_.size() ? upcase_rest_[unit] : ascii_upcase(unit);
}


// Records are read in chunks and the last few chunks are kept: a directory's entries and
// the files they name tend to lie close together in the MFT.
void Volume::read_record_bytes(std::uint64_t number, std::span<std::byte> out) const {
  const std::uint64_t record_size = boot_.file_record_size;
  // Records of 32 and 64 KiB (the boot sector allows them) are a chunk each.
  const std::uint64_t per_chunk = std::max<std::uint64_t>(1, record_cache_chunk_bytes / record_size);
  const std::uint64_t chunk = number / per_chunk;
  const std::lock_guard lock(record_cache_mutex_);
  auto cached = std::find_if(record_cache_.begin(), record_cache_.end(),
                             [&](const CachedChunk& c) { return c.index == chunk; });
  if (cached == record_cache_.end()) {
    const std::uint64_t first = chunk * per_chunk;
    const std::uint64_t records = std::min(per_chunk, record_count() - first);
    CachedChunk fresh{chunk, mft_->read(first * record_size, records * record_size)};
    if (record_cache_.size() == record_cache_chunks) record_cache_.pop_back();
    record_cache_.insert(record_cache_.begin(), std::move(fresh));
    cached = record_cache_.begin();
  }
  const std::uint64_t at = (number - chunk * per_chunk) * record_size;
  std::copy_n(cached->bytes.begin() + static_cast<std::ptrdiff_t>(at), out.size(), out.begin());
}

std::vector<std::byte> Volume::read_raw_record(std::uint64_t number) const {
  const std::uint64_t count = record_count();
  if (number >= count) {
    throw NotFoundError(fmt::format("ntfs: MFT record {} does not exist (the MFT has {} "
                                    "records)", number, count));
  }
  std::vector<std::byte> bytes(boot_.file_record_size);
  read_record_bytes(number, bytes);
  return bytes;
}

FileRecord Volume::read_record(std::uint64_t number) const {
  std::vector<std::byte> bytes = read_raw_record(number);
  return parse_file_record(bytes, number, boot_.total_clusters, record_offset(number));
}

std::optional<std::uint64_t> Volume::record_offset(std::uint64_t number) const {
  return mft_->volume_offset(number * boot_.file_record_size);
}

void Volume::scan_raw_records(const RawRecordVisitor& visit) const {
  const std::uint64_t record_size = boot_.file_record_size;
  const std::uint64_t count = record_count();
  // A small MFT (up to 6 MiB: most volumes' few hundred records) is read through one buffer
  // of 96 KiB reused from piece to piece, with no thread: the process touches two dozen new
  // pages instead of the whole MFT's worth, which was most of a small listing's time. 96 KiB:
  // over what the file's page cache keeps (PageCache::kept_read), under what malloc maps
  // on its own (128 KiB), so the buffer's pages are touched once. Both kinds of chunk are
  // page-aligned (IoBytes), which the kernel's copy into them needs to run at full speed.
  const std::uint64_t small_pieces = std::max<std::uint64_t>(1, (96u << 10) / record_size);
  const bool small = count <= 64 * small_pieces;
  const std::uint64_t per_chunk = small ? small_pieces : std::max<std::uint64_t>(1, (4u << 20) / record_size);
  std::vector<std::uint64_t> chunks;
  for (std::uint64_t first = 0; first < count; first += per_chunk) chunks.push_back(first);
  const auto read_chunk = [&](std::uint64_t first, IoBytes& chunk) {
    chunk.resize(std::min(per_chunk, count - first) * record_size);
    mft_->read(first * record_size, chunk);
  };
  const auto visit_chunk = [&](std::uint64_t first, IoBytes& chunk) {
    const std::uint64_t records = chunk.size() / record_size;
    for (std::uint64_t i = 0; i < records; ++i) {
      visit(first + i, std::span(chunk).subspan(i * record_size, record_size));
    }
  };
  if (small) {
    IoBytes chunk;
    for (const std::uint64_t first : chunks) {
      read_chunk(first, chunk);
      visit_chunk(first, chunk);
    }
    return;
  }
  // The next chunk of a big MFT is read while this one is parsed: there the copying out of
  // the page cache costs as much as the parsing. A chunk is named by its first record.
  read_ahead<IoBytes>(chunks, read_chunk, visit_chunk);
}

namespace {

bool never_used(std::span<const std::byte> bytes) {
  return std::all_of(bytes.begin(), bytes.begin() + 4, [](std::byte b) { return b == std::byte{0}; });
}

}  // namespace

void Volume::scan_records(const RecordVisitor& visit) const {
  scan_raw_records([&](std::uint64_t number, std::span<std::byte> bytes) {
    if (never_used(bytes)) {
      visit(number, nullptr, nullptr);
      return;
    }
    try {
      const FileRecord record = parse_file_record(bytes, number, boot_.total_clusters, record_offset(number));
      visit(number, &record, nullptr);
    } catch (const FormatError& error) {
      visit(number, nullptr, &error);
    }
  });
}

void Volume::scan_record_views(const RecordViewVisitor& visit) const {
  FileRecord header;
  std::vector<AttributeView> attributes;
  scan_raw_records([&](std::uint64_t number, std::span<std::byte> bytes) {
    if (never_used(bytes)) {
      visit(number, nullptr, {}, nullptr);
      return;
    }
    try {
      view_file_record(bytes, number, header, attributes, record_offset(number));
    } catch (const FormatError& error) {
      visit(number, nullptr, {}, &error);
      return;
    }
    visit(number, &header, attributes, nullptr);
  });
}

File Volume::read_file(std::uint64_t number) const {
  File file;
  file.record = read_record(number);
  // The attributes move to File::attributes, where the child records' extents join them.
  file.attributes = std::move(file.record.attributes);
  file.record.attributes.clear();
  const auto list = std::find_if(file.attributes.begin(), file.attributes.end(),
                                 [](const Attribute& a) { return a.type == AttributeType::attribute_list; });
  if (list != file.attributes.end() && file.record.is_base()) {
    const Attribute copy = *list;  // add_listed_extents appends to the vector
    add_listed_extents(file, copy);
  }
  std::stable_sort(file.attributes.begin(), file.attributes.end(),
                   [](const Attribute& a, const Attribute& b) {
                     if (a.type != b.type) return a.type < b.type;
                     if (a.name_utf16 != b.name_utf16) return a.name_utf16 < b.name_utf16;
                     return a.first_vcn < b.first_vcn;
                   });
  return file;
}

void Volume::add_listed_extents(File& file, const Attribute& list) const {
  const std::uint64_t number = file.record.number;
  AttributeListInfo info;
  info.resident = list.resident;
  info.attribute = list;
  info.entries = parse_attribute_list(read_attribute_list(list, source_, geometry(), number));
  // Each child record is read once, whatever the number of entries pointing at it; only
  // children that name this record as their base count (this also blocks cycles).
  std::set<std::uint64_t> children;
  for (const AttributeListEntry& entry : info.entries) {
    if (entry.record.record != number) children.insert(entry.record.record);
  }
  for (const std::uint64_t child_number : children) {
    FileRecord child;
    try {
      child = read_record(child_number);
    } catch (const Error& error) {
      file.warnings.emplace_back(error.where(), error.what());
      continue;
    }
    if (child.base != file.record.reference()) {
      file.warnings.emplace_back(Location{fmt::format("MFT record {}", child_number), record_offset(child_number)}, fmt::format(
          "ntfs: MFT record {} is listed by record {}'s $ATTRIBUTE_LIST but its base is "
          "record {}; ignored", child_number, number, child.base.record));
      continue;
    }
    for (const AttributeListEntry& entry : info.entries) {
      if (entry.record.record != child_number) continue;
      const auto extent = std::find_if(child.attributes.begin(), child.attributes.end(),
                                       [&](const Attribute& a) {
                                         return a.type == entry.type && a.instance == entry.instance;
                                       });
      if (extent == child.attributes.end()) {
        file.warnings.emplace_back(Location{fmt::format("MFT record {}", child_number), record_offset(child_number)}, fmt::format(
            "ntfs: MFT record {}: listed {} (id {}) is not in child record {}", number,
            attribute_type_name(entry.type), entry.instance, child_number));
        continue;
      }
      file.attributes.push_back(*extent);
    }
  }
  file.attribute_list = std::move(info);
}

std::shared_ptr<const Stream> Volume::open_stream(const File& file, AttributeType type,
                                                  std::string_view name) const {
  const auto extents = file.extents(type, name);
  std::string description = fmt::format("ntfs: MFT record {} {}", file.number(),
                                        attribute_type_name(type));
  if (!name.empty()) description += fmt::format(":{}", name);
  if (extents.empty() && type == AttributeType::data && name.empty() && file.is_directory()) {
    throw UsageError(fmt::format("ntfs: MFT record {} is a directory: it has no unnamed $DATA stream to read",
                                 file.number()));
  }
  if (extents.empty()) throw NotFoundError(description + ": no such attribute");
  return std::make_shared<Stream>(source_, geometry(), extents, description);
}

std::string Volume::label() const {
  const File file = read_file(volume_record);
  const Attribute* name = file.find(AttributeType::volume_name);
  if (name == nullptr || !name->resident) return {};
  return utf16le_to_utf8(name->value);
}

std::string Volume::version() const {
  const File file = read_file(volume_record);
  const Attribute* information = file.find(AttributeType::volume_information);
  if (information == nullptr || !information->resident ||
      information->value.size() < sizeof(disk::VolumeInformationValue)) {
    return {};
  }
  const auto value = load<disk::VolumeInformationValue>(information->value, 0, "$VOLUME_INFORMATION");
  return fmt::format("{}.{}", value.major_version, value.minor_version);
}

}  // namespace diskimg::ntfs
