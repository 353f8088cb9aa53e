#include "core/enum_names.hpp"
#include "core/io_bytes.hpp"
#include "extract/claimed_clusters.hpp"
#include "extract/target_directory.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/extract/extract.hpp>
#include <diskimg/ntfs/listing.hpp>
#include <diskimg/ntfs/security.hpp>
#include <diskimg/ntfs/stream.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fmt/format.h>

namespace diskimg {
namespace {

// Bytes copied per read and write: small enough that the buffer stays in the core's L2
// cache between the read that fills it and the write that empties it (1 MiB pieces took
// 1.5x as long on the 2 GiB benchmark volume; 64-256 KiB all did as well as cp).
constexpr std::size_t piece_size = 128 << 10;
// Linux refuses extended attribute values over 64 KiB (XATTR_SIZE_MAX).
constexpr std::uint64_t max_xattr_value = 64 << 10;
// The root directory's MFT record.
constexpr std::uint64_t root_record = 5;
// Records 0-23 hold the metafiles and those NTFS keeps for them.
constexpr std::uint64_t first_user_record = 24;
// 100 ns ticks from 1601-01-01 to 1970-01-01.
constexpr std::int64_t unix_epoch_filetime = 116444736000000000;

constexpr std::array<EnumName<StreamTarget>, 2> stream_target_names{{
    {StreamTarget::xattr, "xattr"},
    {StreamTarget::sidecar, "sidecar"}}};

// A write to the target failed: the extraction stops (a source's failure skips one file).
class TargetWriteError final : public IoError {
 public:
  using IoError::IoError;
};

[[noreturn]] void target_failed(const std::string& what, const std::string& relative) {
  throw TargetWriteError(fmt::format("extract: {} {}: {}", what, relative, std::strerror(errno)), {relative, std::nullopt});
}

timespec to_timespec(std::uint64_t filetime) {
  const std::int64_t ticks = static_cast<std::int64_t>(filetime) - unix_epoch_filetime;
  std::int64_t seconds = ticks / 10'000'000;
  std::int64_t rest = ticks % 10'000'000;
  if (rest < 0) {
    rest += 10'000'000;
    --seconds;
  }
  return {static_cast<time_t>(seconds), static_cast<long>(rest * 100)};
}

std::array<std::byte, 8> little_endian(std::uint64_t value) {
  std::array<std::byte, 8> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(value >> (8 * i));
  return bytes;
}

// One directory of the walk: its entry on the volume, where it goes, and (once made) its
// descriptor. `parent` indexes the walk's stack.
struct Pending {
  ntfs::ListedEntry entry;
  std::size_t parent = 0;
  std::optional<TargetDirectory> made;
  bool listed = false;
};

std::string child_path(const std::string& parent, const std::string& name) {
  std::string path = parent;
  if (path != "/") path += '/';
  return path += name;
}

// The file an index entry names, or the reason it cannot be used: the walk goes by the
// directory indexes (what Windows and a mount show), and an entry whose record was freed or
// reused since must not restore another file under its name.
std::optional<ntfs::File> read_entry_file(const ntfs::Volume& volume, const ntfs::DirectoryEntry& entry,
                                          std::string& why_not) {
  ntfs::File file = volume.read_file(entry.file.record);
  if (!file.record.in_use()) {
    why_not = fmt::format("its index entry names MFT record {}, which is not in use", entry.file.record);
    return std::nullopt;
  }
  if (entry.file.sequence != 0 && file.record.sequence != entry.file.sequence) {
    why_not = fmt::format("its index entry names MFT record {} with sequence {}; the record has sequence {} "
                          "(reused by another file)",
                          entry.file.record, entry.file.sequence, file.record.sequence);
    return std::nullopt;
  }
  return file;
}

// Whether a file has further names (hard links) in any directory: DOS 8.3 aliases are not
// links, and most files on a Windows volume have one.
bool has_links(const ntfs::File& file) {
  if (file.record.link_count < 2) return false;
  int names = 0;
  for (const ntfs::FileName& name : file.names()) {
    if (name.name_space != ntfs::NameSpace::dos) ++names;
  }
  return names > 1;
}

class Extractor {
 public:
  Extractor(const ntfs::Volume& volume, const ntfs::SecurityOwners& owners, const TargetDirectory& root,
            const ExtractOptions& options, std::uint64_t total, ExtractResult& result)
      : volume_(volume), owners_(owners), root_(root), options_(options), total_(total), result_(result) {}

  // A file, or a directory's whole tree, into `into`; with `into_itself`, a directory's
  // entries go into `into` itself (the volume's root into the target).
  void extract(const ntfs::ListedEntry& entry, const ntfs::File& file, const TargetDirectory& into,
               bool into_itself) {
    claimed_ = ClaimedClusters();  // a path asked for twice is restored twice
    if (!entry.is_directory) {
      extract_file(entry, file, into);
      return;
    }
    stack_.clear();
    visited_.clear();  // a loop is per tree: the same directory asked for twice is written twice
    stack_.push_back({entry, 0, std::nullopt, false});
    walk(into, into_itself);
  }

 private:
  // Depth first with an explicit stack: a directory is made when it is reached (its parent
  // is below it on the stack, still open), and its times are set once everything in it is
  // written (writing into it would change them). Memory goes with the depth and the widest
  // directory, not with the number of files.
  void walk(const TargetDirectory& top_parent, bool into_itself) {
    while (!stack_.empty()) {
      const std::size_t index = stack_.size() - 1;
      const bool is_top = index == 0 && into_itself;
      if (!stack_[index].made) {
        if (is_top) {
          stack_[index].made.emplace(top_parent.duplicate());
        } else {
          const TargetDirectory& parent = index == 0 ? top_parent : *stack_[stack_[index].parent].made;
          TargetDirectory::Placed placed;
          TargetDirectory made = parent.make_directory(stack_[index].entry.name, placed);
          note_renamed(stack_[index].entry.path, made.relative_path(), placed);
          ++result_.directories;
          stack_[index].made.emplace(std::move(made));
        }
      }
      if (!stack_[index].listed) {
        stack_[index].listed = true;
        list_into_stack(index);
        continue;
      }
      if (!is_top) finish_directory(index, index == 0 ? top_parent : *stack_[stack_[index].parent].made);
      stack_.pop_back();
    }
  }

  // A directory whose contents are written: its named streams, reparse data and times.
  void finish_directory(std::size_t index, const TargetDirectory& parent) {
    const Pending& done = stack_[index];
    const int fd = done.made->descriptor();
    const std::string& relative = done.made->relative_path();
    {
      try {
        const ntfs::File file = volume_.read_file(done.entry.file.record);
        write_named_streams(file, done.entry, fd, parent, relative);
        record_reparse_point(file, fd, relative, done.entry.path);
        record_owner(file, fd, relative, done.entry.path);
      } catch (const TargetWriteError&) {
        throw;
      } catch (const CancelledError&) {
        throw;
      } catch (const Error& error) {
        result_.skipped.push_back({done.entry.path, error.what()});
      }
    }
    set_metadata(fd, done.entry, relative);
  }

  // Writes the files of the directory at `index`, in index order, and pushes its
  // subdirectories.
  void list_into_stack(std::size_t index) {
    const std::uint64_t record = stack_[index].entry.file.record;
    if (!visited_.insert(record).second) return;  // a loop in a damaged volume
    const std::string path = stack_[index].entry.path;
    std::vector<ntfs::DirectoryEntry> entries;
    try {
      entries = volume_.list_directory(volume_.read_file(record));
    } catch (const CancelledError&) {
      throw;
    } catch (const Error& error) {
      result_.skipped.push_back({path, fmt::format("its index: {}", error.what())});
      return;
    }
    std::vector<ntfs::ListedEntry> directories;
    for (const ntfs::DirectoryEntry& found : entries) {
      if (found.file.record == record) continue;  // the root's own "." entry
      // The metafiles ($MFT, $LogFile, $Extend, ...) are the volume's, not its files: a tree
      // is restored without them (asked for by path, each is extracted like any file).
      if (record == root_record && found.file.record < first_user_record) continue;
      const std::string name_path = child_path(path, found.name.name);
      std::optional<ntfs::File> file;
      std::string why_not;
      try {
        file = read_entry_file(volume_, found, why_not);
      } catch (const CancelledError&) {
        throw;
      } catch (const Error& error) {
        why_not = error.what();
      }
      if (!file) {
        result_.skipped.push_back({name_path, why_not});
        continue;
      }
      ntfs::ListedEntry entry = ntfs::describe_file(*file, found, path);
      if (entry.is_directory) {
        directories.push_back(std::move(entry));
        continue;
      }
      extract_file(entry, *file, *stack_[index].made);
    }
    for (auto it = directories.rbegin(); it != directories.rend(); ++it) {
      stack_.push_back({std::move(*it), index, std::nullopt, false});
    }
  }

  void extract_file(const ntfs::ListedEntry& entry, const ntfs::File& file, const TargetDirectory& into) {
    const auto linked = written_.find(entry.file.record);
    if (linked != written_.end()) {
      TargetDirectory::Placed placed;
      if (into.link(root_, linked->second, entry.name, placed)) {
        note_renamed(entry.path, into.relative(placed.name), placed);
        ++result_.hard_links;
        return;
      }
      // The target cannot link: the name gets a copy of its own (counted as a file), of
      // clusters already claimed by its first name.
      claiming_ = false;
    }
    struct Resume {
      bool& claiming;
      ~Resume() { claiming = true; }
    } resume{claiming_};
    TargetDirectory::Placed placed;
    const int fd = into.create_file(entry.name, placed);
    const std::string relative = into.relative(placed.name);
    note_renamed(entry.path, relative, placed);
    if (has_links(file)) written_.try_emplace(entry.file.record, relative);
    ++result_.files;
    try {
      if (file.find(ntfs::AttributeType::data) != nullptr) {
        copy_stream(*volume_.open_stream(file), fd, relative);
      }
      write_named_streams(file, entry, fd, into, relative);
      record_reparse_point(file, fd, relative, entry.path);
      record_owner(file, fd, relative, entry.path);
      set_metadata(fd, entry, relative);
    } catch (const TargetWriteError&) {
      ::close(fd);
      throw;
    } catch (const CancelledError&) {
      ::close(fd);
      throw;
    } catch (const Error& error) {
      ::close(fd);
      result_.skipped.push_back({entry.path, fmt::format("{} ({} holds what was read before)", error.what(), relative)});
      return;
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (::close(fd) != 0) target_failed("cannot close", relative);
    report_progress();
  }

  // The stream's data into `fd`: its holes are not written, and the file is sized last.
  void copy_stream(const ntfs::Stream& stream, int fd, const std::string& relative) {
    claim(stream);
    // One buffer for the whole extraction, never zeroed: zeroing a new buffer per file was
    // most of the time spent on small files.
    if (buffer_.empty()) buffer_.resize(piece_size);
    const std::span<std::byte> buffer(buffer_);
    const std::uint64_t size = stream.size();
    std::uint64_t written_to = 0;
    for (std::uint64_t offset = stream.next_data(0); offset < size;) {
      const std::uint64_t end = std::min(stream.next_hole(offset), size);
      while (offset < end) {
        const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(piece_size, end - offset));
        stream.read(offset, buffer.first(length));
        write_all(fd, buffer.first(length), offset, relative);
        offset += length;
        written_to = offset;
        result_.bytes += length;
        done_ += length;
        report_progress();
      }
      offset = stream.next_data(end);
    }
    // A file that ends in a hole (or is empty of data) gets its size here; the new file's
    // size is otherwise already where the last write ended.
    if (written_to == size) return;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      // A size the target cannot hold (a damaged or crafted record) costs this file only.
      if (errno == EFBIG || errno == EINVAL) {
        throw UnsupportedError(fmt::format("{} bytes: more than the target holds in one file", size),
                               {relative, std::nullopt});
      }
      target_failed("cannot size", relative);
    }
  }

  // Throws FormatError when the stream names a cluster restored already (ClaimedClusters):
  // its data is not restored again.
  void claim(const ntfs::Stream& stream) {
    if (!claiming_) return;
    if (const auto taken = claimed_.claim(stream.runs())) {
      throw FormatError(fmt::format("{}: cluster {} is restored already, for another file or earlier in this one "
                                    "(a cross-link in a damaged or crafted volume): its data is not restored again",
                                    stream.name(), *taken),
                        {stream.name(), *taken * volume_.cluster_size()});
    }
  }

  static void write_all(int fd, std::span<const std::byte> data, std::uint64_t offset, const std::string& relative) {
    while (!data.empty()) {
      const ssize_t written = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) target_failed("cannot write", relative);
      data = data.subspan(static_cast<std::size_t>(written));
      offset += static_cast<std::uint64_t>(written);
    }
  }

  void write_named_streams(const ntfs::File& file, const ntfs::ListedEntry& entry, int fd, const TargetDirectory& into,
                           const std::string& relative) {
    for (const ntfs::StreamInfo& info : entry.streams) {
      const std::string path = entry.path + ":" + info.name;
      std::shared_ptr<const ntfs::Stream> stream;
      try {
        stream = volume_.open_stream(file, ntfs::AttributeType::data, info.name);
      } catch (const Error& error) {
        result_.skipped.push_back({path, error.what()});
        continue;
      }
      if (options_.named_streams == StreamTarget::sidecar) {
        TargetDirectory::Placed placed;
        const int sidecar = into.create_file(entry.name + ":" + info.name, placed);
        note_renamed(path, into.relative(placed.name), placed);
        try {
          copy_stream(*stream, sidecar, into.relative(placed.name));
        } catch (...) {
          ::close(sidecar);
          throw;
        }
        ::close(sidecar);
        ++result_.named_streams;
        continue;
      }
      if (stream->size() > max_xattr_value) {
        result_.skipped.push_back({path, fmt::format("{} bytes: more than an extended attribute holds (64 KiB); "
                                                     "extract named streams as sidecar files", stream->size())});
        continue;
      }
      claim(*stream);
      const std::vector<std::byte> bytes = stream->read(0, static_cast<std::size_t>(stream->size()));
      const std::string name = "user.ntfs.stream." + info.name;
      if (::fsetxattr(fd, name.c_str(), bytes.data(), bytes.size(), 0) != 0) {
        result_.skipped.push_back({path, fmt::format("the target refused it as the extended attribute {} of {}: {}",
                                                     name, relative, std::strerror(errno))});
        continue;
      }
      result_.bytes += bytes.size();
      done_ += bytes.size();
      ++result_.named_streams;
    }
  }

  // A reparse point (a symbolic link, a junction, ...) is kept as its data, never followed.
  void record_reparse_point(const ntfs::File& file, int fd, const std::string& relative, const std::string& path) {
    if (file.find(ntfs::AttributeType::reparse_point) == nullptr) return;
    const auto stream = volume_.open_stream(file, ntfs::AttributeType::reparse_point);
    if (stream->size() > max_xattr_value) {
      result_.skipped.push_back({path, "reparse data over 64 KiB"});
      return;
    }
    const std::vector<std::byte> data = stream->read(0, static_cast<std::size_t>(stream->size()));
    set_xattr(fd, "user.ntfs.reparse", data, relative);
    ++result_.reparse_points;
  }

  // The owner SID of the file's security descriptor, as text ("S-1-5-32-544").
  // A descriptor that cannot be read costs the owner only.
  void record_owner(const ntfs::File& file, int fd, const std::string& relative, const std::string& path) {
    std::optional<std::string> owner;
    try {
      owner = owners_.owner_of(volume_, file);
    } catch (const FormatError& error) {
      result_.skipped.push_back({path, fmt::format("its owner: {}", error.what())});
    }
    if (owner) set_xattr(fd, "user.ntfs.owner", std::as_bytes(std::span(*owner)), relative);
  }

  void set_metadata(int fd, const ntfs::ListedEntry& entry, const std::string& relative) {
    set_xattr(fd, "user.ntfs.crtime", little_endian(entry.times.created), relative);
    const auto attributes = little_endian(entry.file_attributes.bits());
    set_xattr(fd, "user.ntfs.attrib", std::span(attributes).first(4), relative);
    const std::array<timespec, 2> times{to_timespec(entry.times.accessed), to_timespec(entry.times.modified)};
    if (::futimens(fd, times.data()) != 0) target_failed("cannot set the times of", relative);
  }

  void set_xattr(int fd, const std::string& name, std::span<const std::byte> value, const std::string& relative) {
    if (::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) == 0) return;
    if (errno == ENOTSUP || errno == EPERM) {
      if (!xattrs_refused_) {
        result_.skipped.push_back({"", fmt::format("the target takes no user extended attributes ({}: {}): creation "
                                                   "times, attribute flags and reparse data are not kept",
                                                   relative, std::strerror(errno))});
      }
      xattrs_refused_ = true;
      return;
    }
    target_failed(fmt::format("cannot set {} on", name), relative);
  }

  void note_renamed(const std::string& path, const std::string& written_as, const TargetDirectory::Placed& placed) {
    if (!placed.reason.empty()) result_.renamed.push_back({path, written_as, placed.reason});
  }

  void report_progress() {
    if (options_.progress && !options_.progress(done_, std::max(total_, done_))) throw CancelledError("extract: cancelled");
  }

  const ntfs::Volume& volume_;
  const ntfs::SecurityOwners& owners_;
  const TargetDirectory& root_;
  const ExtractOptions& options_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  ExtractResult& result_;
  std::vector<Pending> stack_;
  IoBytes buffer_;  // page-aligned: the kernel copies into and out of it
  std::unordered_set<std::uint64_t> visited_;
  std::unordered_map<std::uint64_t, std::string> written_;  // linked record -> where its first name went
  bool xattrs_refused_ = false;
  ClaimedClusters claimed_;   // restored so far, for the path being extracted
  bool claiming_ = true;      // false while a hard link's name gets a copy of its own
};

// A path asked for: the file, and its listing entry named as its directory's index names it.
struct Chosen {
  ntfs::ListedEntry entry;
  ntfs::File file;
};

// Throws NotFoundError when there is no such file.
Chosen chosen_entry(const ntfs::Volume& volume, const std::string& path) {
  std::string normalized = path.empty() || path.front() != '/' ? "/" + path : path;
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  const std::size_t slash = normalized.rfind('/');
  const std::string parent_path = slash == 0 ? "/" : normalized.substr(0, slash);
  Chosen chosen;
  std::uint64_t parent = root_record;
  try {
    chosen.file = volume.open_path(normalized);
    if (normalized != "/") parent = volume.open_path(parent_path).number();
  } catch (const NotFoundError& error) {
    throw NotFoundError(fmt::format("extract: {}: {}", path, error.what()), error.where());
  }
  ntfs::DirectoryEntry named{chosen.file.record.reference(), {}};
  named.name.name = normalized.substr(slash + 1);  // the path's own spelling, failing a better one
  for (const ntfs::FileName& name : chosen.file.names()) {
    if (name.parent.record == parent && name.name_space != ntfs::NameSpace::dos) named.name = name;
  }
  chosen.entry = ntfs::describe_file(chosen.file, named, parent_path);
  if (normalized == "/") chosen.entry.path = normalized;
  return chosen;
}

// The bytes the chosen trees hold, for progress: the sizes their directory indexes record
// (Windows updates them lazily, so this is an estimate), named streams and hard links'
// further names aside. One more walk of the indexes, in memory that goes with the depth.
std::uint64_t estimated_total(const ntfs::Volume& volume, const std::vector<Chosen>& chosen) {
  std::uint64_t total = 0;
  for (const Chosen& top : chosen) {
    if (!top.entry.is_directory) {
      total += top.entry.size;
      continue;
    }
    std::vector<std::uint64_t> directories{top.file.number()};
    std::unordered_set<std::uint64_t> visited;
    while (!directories.empty()) {
      const std::uint64_t record = directories.back();
      directories.pop_back();
      if (!visited.insert(record).second) continue;
      std::vector<ntfs::DirectoryEntry> entries;
      try {
        entries = volume.list_directory(volume.read_file(record));
      } catch (const Error&) {
        continue;  // the walk that extracts reports it
      }
      for (const ntfs::DirectoryEntry& entry : entries) {
        if (entry.file.record == record) continue;
        if (entry.name.is_directory()) {
          directories.push_back(entry.file.record);
        } else {
          total += entry.name.data_size;
        }
      }
    }
  }
  return total;
}

}  // namespace

std::string_view to_string(StreamTarget target) { return name_of(stream_target_names, target, "xattr"); }

StreamTarget parse_stream_target(std::string_view text) {
  if (const auto target = value_named(stream_target_names, text)) return *target;
  throw UsageError(fmt::format("named streams \"{}\": use {}", text, names_listed(stream_target_names)));
}

ExtractResult extract(const ntfs::Volume& volume, const std::vector<std::string>& paths,
                      const std::filesystem::path& target, const ExtractOptions& options) {
  std::vector<Chosen> chosen;
  for (const std::string& path : paths) chosen.push_back(chosen_entry(volume, path));
  const TargetDirectory root = TargetDirectory::open_target(target.string());
  ExtractResult result;
  ntfs::SecurityOwners owners;
  try {
    owners = ntfs::SecurityOwners::read(volume);
  } catch (const Error& error) {
    // An unreadable $Secure costs the owners only.
    result.skipped.push_back({"/$Secure:$SDS", fmt::format("owners not recorded: {}", error.what())});
  }
  Extractor extractor(volume, owners, root, options, estimated_total(volume, chosen), result);
  for (const Chosen& top : chosen) extractor.extract(top.entry, top.file, root, top.entry.path == "/");
  return result;
}

}  // namespace diskimg
