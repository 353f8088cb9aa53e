/// @file
/// An NTFS volume: the boot sector, the MFT (bootstrapped from record 0, through its own
/// attribute list if it has one), files, streams and directories.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/boot_sector.hpp>
#include <diskimg/ntfs/directory.hpp>
#include <diskimg/ntfs/file.hpp>
#include <diskimg/ntfs/stream.hpp>
#include <diskimg/source/byte_source.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

/// The MFT record of the root directory.
inline constexpr std::uint64_t root_directory_record = 5;

/// A path with an optional stream name, "PATH[:STREAM]", taken apart.
struct StreamPath {
  std::string path;    ///< the file's path
  std::string stream;  ///< the stream's name; "" for the unnamed $DATA
};
/// Splits "PATH[:STREAM]" into the path and the stream's name ("" for the unnamed $DATA).
/// Only a colon after the last slash starts a stream name. Never throws a diskimg::Error.
StreamPath split_stream_path(std::string_view text);

/// An NTFS volume over a byte source: the boot sector, the MFT, files, streams and
/// directories. Owns what it read to find its way (the boot sector, $MFT's runs, the
/// $UpCase table) and a cache of recently read MFT chunks; shares the volume's byte source,
/// which the streams it opens share too (they do not keep the Volume alive). Immutable once
/// opened but for the record cache, which takes a lock, and the rest of $UpCase, read once
/// on first need (std::call_once): several threads may use one Volume at once. It reflects
/// the volume as it was when opened; the bytes must not change meanwhile.
class Volume {
 public:
  /// Reads the boot sector (the backup at the volume's end, with a warning, when the
  /// primary is damaged), bootstraps the MFT (from $MFTMirr, with a warning, when record
  /// 0 is damaged) and loads $UpCase (ASCII case folding, with a warning, when it cannot
  /// be read). Throws FormatError when the volume cannot be read at all, IoError when its
  /// source fails.
  static std::shared_ptr<const Volume> open(SourcePtr source);

  /// The boot sector in use (the primary, or its backup).
  const BootSector& boot_sector() const { return boot_; }
  /// The volume's bytes.
  const SourcePtr& source() const { return source_; }
  /// Damage worked around while opening: a backup boot sector or $MFTMirr used, $UpCase
  /// unreadable, $MFT's first run elsewhere than the boot sector says.
  const Warnings& warnings() const { return warnings_; }
  /// The records the MFT holds: those in clusters its runs map, below its initialized size.
  /// Fewer than its data size claims only on a damaged or hostile volume (a warning names
  /// both counts); a record past them does not exist (read_record: NotFoundError).
  std::uint64_t record_count() const { return record_count_; }
  /// Bytes per cluster.
  std::uint32_t cluster_size() const { return boot_.cluster_size; }

  /// One record as it lies in the MFT, fixups applied. Throws FormatError naming the
  /// record and its offset ("BAAD", fixup mismatch, broken attributes), NotFoundError when
  /// the MFT has no record `number`, IoError when it cannot be read.
  FileRecord read_record(std::uint64_t number) const;
  /// Where record `number` lies on the volume; empty when the MFT does not map it.
  std::optional<std::uint64_t> record_offset(std::uint64_t number) const;
  /// What scan_records calls for each record: its number, the record or nullptr, and the
  /// fault or nullptr. Both pointers are valid during the call only.
  using RecordVisitor =
      std::function<void(std::uint64_t number, const FileRecord* record, const FormatError* fault)>;
  /// Reads every record of the MFT in order, in chunks (on an MFT over 6 MiB the next read
  /// on another thread while this one is parsed), and calls `visit` on the calling thread
  /// with each parsed record, or with nullptr and the fault that record has (the scan goes
  /// on), or with nullptr for both for a record that was never used (all zero). Throws
  /// IoError when the MFT cannot be read, and what `visit` throws; the scan stops then.
  void scan_records(const RecordVisitor& visit) const;
  /// What scan_record_views calls for each record: its number, the header or nullptr, the
  /// attribute views and the fault or nullptr. All are valid during the call only.
  using RecordViewVisitor =
      std::function<void(std::uint64_t number, const FileRecord* header,
                         std::span<const AttributeView> attributes, const FormatError* fault)>;
  /// The same scan without copying: each record's header and its attributes as views into
  /// the chunk just read (valid during the call). Unused records: nullptr and no error.
  /// Throws as scan_records does.
  void scan_record_views(const RecordViewVisitor& visit) const;
  /// What scan_raw_records calls: a record's number and its bytes as they lie in the MFT,
  /// fixups not applied (apply_fixups or parse_file_record apply them, in place). The span
  /// is valid, and the visitor's to change, during the call only.
  using RawRecordVisitor = std::function<void(std::uint64_t number, std::span<std::byte> bytes)>;
  /// Reads every record of the MFT in order, as scan_records does, without parsing any.
  /// Throws IoError when the MFT cannot be read, and what `visit` throws.
  void scan_raw_records(const RawRecordVisitor& visit) const;
  /// Record `number`'s bytes as they lie in the MFT, fixups not applied. Throws
  /// NotFoundError when the MFT has no such record, IoError when it cannot be read.
  std::vector<std::byte> read_raw_record(std::uint64_t number) const;
  /// A base record with the extents its attribute list points to. Child records that
  /// cannot be used become the File's warnings. Throws what read_record throws for the
  /// base record, and FormatError or IoError when its $ATTRIBUTE_LIST cannot be read.
  File read_file(std::uint64_t number) const;
  /// The bytes of an attribute (by default the unnamed $DATA), sharing the volume's source.
  /// Throws UsageError when the unnamed $DATA of a directory is asked for, NotFoundError
  /// when the file has no such attribute, and what the Stream constructor throws.
  std::shared_ptr<const Stream> open_stream(const File& file,
                                            AttributeType type = AttributeType::data,
                                            std::string_view name = {}) const;

  /// The entries of a directory in index (collation) order; DOS 8.3 aliases of names that
  /// also have a Win32 form are left out unless asked for. Throws FormatError when the
  /// index is damaged (a missing root, a block out of place, a loop), IoError when it
  /// cannot be read.
  std::vector<DirectoryEntry> list_directory(const File& directory,
                                             bool include_dos_names = false) const;
  /// Finds a name in a directory, case-insensitively through $UpCase (an exact-case match
  /// wins). Throws as list_directory does.
  std::optional<DirectoryEntry> find_in_directory(const File& directory,
                                                  std::u16string_view name) const;
  /// Resolves "/dir/file" from the root. Throws NotFoundError naming the missing part (or
  /// the part that is not a directory), FormatError when an index entry names a record
  /// reused since (its sequence differs), and what reading the records and indexes throws.
  File open_path(std::string_view path) const;

  /// $Volume's $VOLUME_NAME, "" when there is none. Throws what read_file throws.
  std::string label() const;
  /// The NTFS version from $VOLUME_INFORMATION ("3.1"), "" when there is none. Throws what
  /// read_file throws.
  std::string version() const;

  /// Case folding through the volume's $UpCase table (ASCII only when it is unreadable).
  /// Thread-safe: the table's first units are read when the volume is opened, the rest on
  /// the first use of a unit beyond them.
  char16_t upcase(char16_t unit) const {
    if (unit < upcase_.size()) return upcase_[unit];
    if (unit < upcase_units_) return upcase_beyond_first_page(unit);
    return ascii_upcase(unit);
  }

 private:
  Volume() = default;
  BootSector read_backup_boot_sector(const std::string& primary_fault);
  void bootstrap_mft();
  void bootstrap_mft_from(std::uint64_t lcn);
  void count_present_records(std::uint64_t record_zero_offset);
  void add_mft_extents_from_list(const Attribute& list, std::uint16_t sequence);
  void add_listed_extents(File& file, const Attribute& list) const;
  void load_upcase();
  void read_record_bytes(std::uint64_t number, std::span<std::byte> out) const;
  StreamGeometry geometry() const { return {boot_.cluster_size, boot_.total_clusters}; }

  SourcePtr source_;
  BootSector boot_;
  std::vector<Attribute> mft_extents_;
  std::shared_ptr<const Stream> mft_;
  std::uint64_t record_count_ = 0;
  // $UpCase: its first units (Latin scripts, what most names hold) and the rest, read on
  // demand; 128 KiB read at every opening was a tenth of a small volume's listing.
  static constexpr std::size_t upcase_first_units = 2048;
  static char16_t ascii_upcase(char16_t unit) {
    return (unit >= u'a' && unit <= u'z') ? static_cast<char16_t>(unit - 32) : unit;
  }
  char16_t upcase_beyond_first_page(char16_t unit) const;
  std::vector<char16_t> upcase_;
  std::size_t upcase_units_ = 0;
  std::shared_ptr<const Stream> upcase_stream_;
  mutable std::once_flag upcase_rest_once_;
  mutable std::vector<char16_t> upcase_rest_;
  Warnings warnings_;

  // 2 MiB in chunks of 16 KiB: opening a volume reads a few records, not 256 KiB of them
  // (on a small volume that was a tenth of a listing's time).
  static constexpr std::uint64_t record_cache_chunk_bytes = 16u << 10;
  static constexpr std::size_t record_cache_chunks = 128;
  struct CachedChunk {
    std::uint64_t index;
    std::vector<std::byte> bytes;
  };
  mutable std::mutex record_cache_mutex_;
  mutable std::vector<CachedChunk> record_cache_;  // most recent first
};

}  // namespace diskimg::ntfs
