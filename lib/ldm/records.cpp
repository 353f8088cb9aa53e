// The VBLK area: slots of vblk_size bytes after the VMDB header, records spread over one or
// more fragments (not necessarily adjacent), each record a header and type-specific fields
// of variable length.
#include "ldm/ldm_structures.hpp"

#include "core/load.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/core/guid.hpp>
#include <diskimg/ldm/database.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace diskimg::ldm {
namespace {

// Reads a record's fields in order; every read is bounds-checked and names the record.
class FieldReader {
 public:
  // `where` starts the messages ("ldm: VBLK record 7"); `location` is the record's.
  FieldReader(std::span<const std::byte> data, std::string where, Location location)
      : data_(data), where_(std::move(where)), location_(std::move(location)) {}

  std::uint8_t byte() { return std::to_integer<std::uint8_t>(take(1)[0]); }
  std::uint64_t fixed(std::size_t length) {
    std::uint64_t value = 0;
    for (std::byte b : take(length)) value = value << 8 | std::to_integer<unsigned>(b);
    return value;
  }
  // A length byte, then that many big-endian bytes (0 bytes: the value 0).
  std::uint64_t number() {
    const std::size_t length = byte();
    if (length > 8) fail(fmt::format("a number of {} bytes", length));
    return fixed(length);
  }
  // A length byte, then that many bytes of text.
  std::string text() {
    const std::size_t length = byte();
    const auto bytes = take(length);
    std::string out(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return out.substr(0, out.find('\0'));
  }
  std::span<const std::byte> take(std::size_t length) {
    if (length > data_.size() - position_) {
      fail(fmt::format("field of {} bytes at record offset {} runs past the record's {} bytes", length,
                       position_, data_.size()));
    }
    const auto out = data_.subspan(position_, length);
    position_ += length;
    return out;
  }
  void skip(std::size_t length) { take(length); }
  [[noreturn]] void fail(const std::string& what) const { throw FormatError(where_ + ": " + what, location_); }

 private:
  std::span<const std::byte> data_;
  std::size_t position_ = 0;
  std::string where_;
  Location location_;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return text;
}

std::string guid_text(std::span<const std::byte> bytes) {
  return lower(Guid::from_big_endian(bytes.first<16>()).to_string());
}

void parse_volume(FieldReader& in, std::uint8_t flags, Database& db) {
  VolumeRecord volume;
  volume.id = in.number();
  volume.name = in.text();
  volume.type = in.text();           // "gen" or "raid5"
  in.text();                         // unknown, usually empty
  in.skip(14);                       // state, "ACTIVE"
  in.skip(1);                        // read policy
  in.number();                       // volume number
  in.skip(4);                        // flags
  volume.component_count = in.number();
  in.skip(8 + 8);                    // commit id, id
  volume.size = in.number();
  in.skip(4);
  volume.partition_type = in.byte();
  volume.guid = guid_text(in.take(16));
  if (flags & volume_has_id1) in.text();
  if (flags & volume_has_id2) in.text();
  if (flags & volume_has_size2) in.number();
  if (flags & volume_has_drive_hint) volume.drive_hint = in.text();
  db.volumes.push_back(std::move(volume));
}

void parse_component(FieldReader& in, std::uint8_t flags, Database& db) {
  ComponentRecord component;
  component.id = in.number();
  component.name = in.text();
  in.text();                         // state, "ACTIVE"
  const std::uint8_t layout = in.byte();
  if (layout < 1 || layout > 3) in.fail(fmt::format("component layout {} (1 striped, 2 concatenated, 3 RAID-5)", layout));
  component.layout = static_cast<ComponentLayout>(layout);
  in.skip(4);                        // flags
  component.extent_count = in.number();
  in.skip(8 + 8);                    // commit id, zeros
  component.volume_id = in.number();
  in.number();                       // log
  if (flags & component_has_stripe) {
    component.stripe_size = in.number();
    component.columns = in.number();
  }
  db.components.push_back(std::move(component));
}

void parse_partition(FieldReader& in, std::uint8_t flags, Database& db) {
  PartitionRecord partition;
  partition.id = in.number();
  partition.name = in.text();
  in.skip(4 + 8);                    // flags, commit id
  partition.start = in.fixed(8);
  partition.volume_offset = in.fixed(8);
  partition.size = in.number();
  partition.component_id = in.number();
  partition.disk_id = in.number();
  if (flags & partition_has_column) partition.column = in.number();
  db.partitions.push_back(std::move(partition));
}

void parse_disk(FieldReader& in, unsigned revision, Database& db) {
  DiskRecord disk;
  disk.id = in.number();
  disk.name = in.text();
  if (revision == 3) {
    disk.guid = lower(in.text());
  } else if (revision == 4) {
    disk.guid = guid_text(in.take(16));
  } else {
    in.fail(fmt::format("disk record revision {} (3 and 4 are known)", revision));
  }
  db.disks.push_back(std::move(disk));
}

void parse_record(std::span<const std::byte> record, std::uint32_t group, Database& db) {
  const std::string where = fmt::format("ldm: VBLK record {}", group);
  RecordHeader header;
  try {
    header = load<RecordHeader>(record, 0, "record header");
  } catch (const FormatError& error) {
    throw FormatError(fmt::format("{}: {}", where, error.what()), Location{fmt::format("LDM VBLK record {}", group), std::nullopt});
  }
  if (header.data_length.value() > record.size() - sizeof(RecordHeader)) {
    throw FormatError(fmt::format("{}: data length {} runs past the record's {} bytes", where,
                                  header.data_length.value(), record.size() - sizeof(RecordHeader)), Location{fmt::format("LDM VBLK record {}", group), std::nullopt});
  }
  if (header.status.value() == 2) return;  // pending activation: not part of the committed state
  FieldReader in(record.subspan(sizeof(RecordHeader), header.data_length.value()), where,
                 {fmt::format("LDM VBLK record {}", group), std::nullopt});
  const unsigned type = header.revision_and_type & 0x0F;
  const unsigned revision = header.revision_and_type >> 4;
  // Windows 2000 to 11 write volumes in revision 5, components and partitions in 3; another
  // revision would lay its fields out differently, so it is refused rather than misread.
  const auto expect = [&](unsigned wanted) {
    if (revision != wanted) {
      in.fail(fmt::format("record type {} in revision {} (revision {} is known)", type, revision, wanted));
    }
  };
  switch (type) {
    case record_volume: expect(5); parse_volume(in, header.flags, db); break;
    case record_component: expect(3); parse_component(in, header.flags, db); break;
    case record_partition: expect(3); parse_partition(in, header.flags, db); break;
    case record_disk: parse_disk(in, revision, db); break;
    case record_disk_group: break;  // the group's name and GUID are in PRIVHEAD and VMDB
    default:
      db.warnings.emplace_back(Location{fmt::format("LDM VBLK record {}", group), std::nullopt},
                               fmt::format("{}: unknown record type {:#04x} skipped", where, header.revision_and_type));
  }
}

struct Fragments {
  std::uint16_t count = 0;
  std::vector<std::optional<std::span<const std::byte>>> pieces;
};

}  // namespace

void parse_vblks(std::span<const std::byte> config, std::uint64_t config_start_sector, Database& db) {
  const std::string where = fmt::format("ldm: VMDB (sector {})", config_start_sector);
  const Location vmdb_here{"LDM VMDB", config_start_sector * db.sector_size};
  VmdbHeader vmdb;
  try {
    vmdb = load<VmdbHeader>(config, 0, "VMDB header");
  } catch (const FormatError& error) {
    throw FormatError(fmt::format("{}: {}", where, error.what()), vmdb_here);
  }
  if (std::string_view(vmdb.magic.data(), 4) != "VMDB") throw FormatError(where + ": no \"VMDB\" signature", vmdb_here);
  const std::uint32_t size = vmdb.vblk_size.value();
  const std::uint32_t first = vmdb.first_vblk_offset.value();
  if (size <= sizeof(VblkHeader) + sizeof(RecordHeader) || size > 65536) {
    throw FormatError(fmt::format("{}: VBLK size {} (128 expected)", where, size), vmdb_here);
  }
  if (first < sizeof(VmdbHeader) || first % size != 0) {
    throw FormatError(fmt::format("{}: first VBLK at offset {} (512 expected)", where, first), vmdb_here);
  }
  db.committed_sequence = vmdb.committed_sequence.value();
  const std::uint64_t end = std::min<std::uint64_t>(config.size(), std::uint64_t{vmdb.vblk_count.value()} * size);

  std::map<std::uint32_t, Fragments> records;
  for (std::uint64_t offset = first; offset + size <= end; offset += size) {
    const auto slot = config.subspan(static_cast<std::size_t>(offset), size);
    const auto header = load<VblkHeader>(slot, 0, "VBLK header");  // slots are larger
    if (std::string_view(header.magic.data(), 4) != "VBLK" || header.fragment_count.value() == 0) continue;
    const std::uint32_t group = header.group.value();
    const std::uint16_t count = header.fragment_count.value();
    const std::uint16_t index = header.fragment.value();
    const std::string at = fmt::format("ldm: VBLK slot {} (record {})", offset / size, group);
    if (count > max_fragments) throw FormatError(fmt::format("{}: {} fragments (at most {})", at, count, max_fragments), Location{fmt::format("LDM VBLK slot {}", offset / size), (config_start_sector * db.sector_size) + offset});
    Fragments& record = records[group];
    if (record.count == 0) {
      record.count = count;
      record.pieces.resize(count);
    } else if (record.count != count) {
      throw FormatError(fmt::format("{}: says {} fragments, an earlier one {}", at, count, record.count), Location{fmt::format("LDM VBLK slot {}", offset / size), (config_start_sector * db.sector_size) + offset});
    }
    if (index >= count) throw FormatError(fmt::format("{}: fragment {} of {}", at, index, count), Location{fmt::format("LDM VBLK slot {}", offset / size), (config_start_sector * db.sector_size) + offset});
    if (record.pieces[index]) throw FormatError(fmt::format("{}: fragment {} appears twice", at, index), Location{fmt::format("LDM VBLK slot {}", offset / size), (config_start_sector * db.sector_size) + offset});
    record.pieces[index] = slot;
  }

  for (const auto& [group, record] : records) {
    // The record: the first fragment whole, then every other one without its 16-byte header.
    std::vector<std::byte> joined;
    bool complete = true;
    for (std::size_t i = 0; i < record.pieces.size(); ++i) {
      if (!record.pieces[i]) {
        complete = false;
        break;
      }
      const auto piece = i == 0 ? *record.pieces[i] : record.pieces[i]->subspan(sizeof(VblkHeader));
      joined.insert(joined.end(), piece.begin(), piece.end());
    }
    if (!complete) {
      db.warnings.push_back(fmt::format("ldm: VBLK record {}: fragments missing; record skipped", group));
      continue;
    }
    parse_record(std::span<const std::byte>(joined).subspan(sizeof(VblkHeader)), group, db);
  }
}

const DiskRecord* Database::find_disk(std::uint64_t id) const {
  for (const DiskRecord& disk : disks) {
    if (disk.id == id) return &disk;
  }
  return nullptr;
}

}  // namespace diskimg::ldm
