// An NTFS volume: the boot sector, the MFT (bootstrapped from record 0, through its own
// attribute list if it has one), files, streams and directories.
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

inline constexpr std::uint64_t root_directory_record = 5;

// "PATH[:STREAM]" as the command line and Python take it: the path and the stream's name
// ("" for the unnamed $DATA). Only a colon after the last slash starts a stream name.
struct StreamPath {
  std::string path;
  std::string stream;
};
StreamPath split_stream_path(std::string_view text);

class Volume {
 public:
  // Reads the boot sector (the backup at the volume's end, with a warning, when the
  // primary is damaged), bootstraps the MFT and loads $UpCase. Throws FormatError when the
  // volume cannot be read at all.
  static std::shared_ptr<const Volume> open(SourcePtr source);

  const BootSector& boot_sector() const { return boot_; }
  const SourcePtr& source() const { return source_; }
  const Warnings& warnings() const { return warnings_; }
  // The records the MFT holds: those in clusters its runs map, below its initialized size.
  // Fewer than its data size claims only on a damaged or hostile volume (a warning names
  // both counts); a record past them does not exist (read_record: NotFoundError).
  std::uint64_t record_count() const { return record_count_; }
  std::uint32_t cluster_size() const { return boot_.cluster_size; }

  // One record as it lies in the MFT, fixups applied. Throws FormatError naming the
  // record and its offset ("BAAD", fixup mismatch, broken attributes).
  FileRecord read_record(std::uint64_t number) const;
  // Where record `number` lies on the volume; empty when the MFT does not map it.
  std::optional<std::uint64_t> record_offset(std::uint64_t number) const;
  // Reads every record of the MFT in order, in large chunks, and calls `visit` with each
  // parsed record, or with nullptr and the fault that record has (the scan goes on), or
  // with nullptr for both for a record that was never used (all zero).
  using RecordVisitor =
      std::function<void(std::uint64_t number, const FileRecord* record, const FormatError* fault)>;
  void scan_records(const RecordVisitor& visit) const;
  // The same scan without copying: each record's header and its attributes as views into
  // the chunk just read (valid during the call). Unused records: nullptr and no error.
  using RecordViewVisitor =
      std::function<void(std::uint64_t number, const FileRecord* header,
                         std::span<const AttributeView> attributes, const FormatError* fault)>;
  void scan_record_views(const RecordViewVisitor& visit) const;
  // A base record with the extents its attribute list points to.
  File read_file(std::uint64_t number) const;
  // The bytes of an attribute (by default the unnamed $DATA).
  std::shared_ptr<const Stream> open_stream(const File& file,
                                            AttributeType type = AttributeType::data,
                                            std::string_view name = {}) const;

  // The entries of a directory in index (collation) order; DOS 8.3 aliases of names that
  // also have a Win32 form are left out unless asked for.
  std::vector<DirectoryEntry> list_directory(const File& directory,
                                             bool include_dos_names = false) const;
  // Finds a name in a directory, case-insensitively (an exact-case match wins).
  std::optional<DirectoryEntry> find_in_directory(const File& directory,
                                                  std::u16string_view name) const;
  // Resolves "/dir/file" from the root. Throws NotFoundError naming the missing part.
  File open_path(std::string_view path) const;

  std::string label() const;    // $Volume's $VOLUME_NAME
  std::string version() const;  // "3.1"

  // Case folding through the volume's $UpCase table (ASCII only when it is unreadable).
  char16_t upcase(char16_t unit) const {
    if (unit < upcase_.size()) return upcase_[unit];
    return (unit >= u'a' && unit <= u'z') ? static_cast<char16_t>(unit - 32) : unit;
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
  // Reads the MFT in large chunks and hands each record's bytes to `visit`.
  void for_each_record_bytes(
      const std::function<void(std::uint64_t, std::span<std::byte>)>& visit) const;
  StreamGeometry geometry() const { return {boot_.cluster_size, boot_.total_clusters}; }

  SourcePtr source_;
  BootSector boot_;
  std::vector<Attribute> mft_extents_;
  std::shared_ptr<const Stream> mft_;
  std::uint64_t record_count_ = 0;
  std::vector<char16_t> upcase_;
  Warnings warnings_;

  static constexpr std::uint64_t record_cache_chunk_bytes = 256u << 10;
  static constexpr std::size_t record_cache_chunks = 8;
  struct CachedChunk {
    std::uint64_t index;
    std::vector<std::byte> bytes;
  };
  mutable std::mutex record_cache_mutex_;
  mutable std::vector<CachedChunk> record_cache_;  // most recent first
};

}  // namespace diskimg::ntfs
