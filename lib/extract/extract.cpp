#include "core/enum_names.hpp"
#include "extract/target_directory.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/extract/extract.hpp>
#include <diskimg/ntfs/catalog.hpp>
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

constexpr std::size_t piece_size = 1 << 20;
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

class Extractor {
 public:
  Extractor(const ntfs::Volume& volume, const ntfs::Catalog& catalog, const ntfs::SecurityOwners& owners,
            const TargetDirectory& root, const ExtractOptions& options, std::uint64_t total, ExtractResult& result)
      : volume_(volume), catalog_(catalog), owners_(owners), root_(root), options_(options), total_(total),
        result_(result) {}

  // A file, or a directory's whole tree, into `into`; with `into_itself`, a directory's
  // entries go into `into` itself (the volume's root into the target).
  void extract(const ntfs::ListedEntry& entry, const TargetDirectory& into, bool into_itself) {
    if (!entry.is_directory) {
      extract_file(entry, into);
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
  // written (writing into it would change them).
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

  // Writes the files of the directory at `index` and pushes its subdirectories.
  void list_into_stack(std::size_t index) {
    const std::uint64_t record = stack_[index].entry.file.record;
    if (!visited_.insert(record).second) return;  // a loop in a damaged volume
    std::vector<ntfs::ListedEntry> entries;
    catalog_.walk(record, stack_[index].entry.path == "/" ? std::string() : stack_[index].entry.path, false,
                  [&](const ntfs::ListedEntry& entry) { entries.push_back(entry); });
    std::vector<ntfs::ListedEntry> directories;
    for (const ntfs::ListedEntry& entry : entries) {
      // The metafiles ($MFT, $LogFile, $Extend, ...) are the volume's, not its files: a tree
      // is restored without them (asked for by path, each is extracted like any file).
      if (record == root_record && entry.file.record < first_user_record) continue;
      if (entry.is_directory) {
        if (entry.file.record != record) directories.push_back(entry);
        continue;
      }
      extract_file(entry, *stack_[index].made);
    }
    for (auto it = directories.rbegin(); it != directories.rend(); ++it) {
      stack_.push_back({*it, index, std::nullopt, false});
    }
  }

  void extract_file(const ntfs::ListedEntry& entry, const TargetDirectory& into) {
    const auto linked = written_.find(entry.file.record);
    if (linked != written_.end()) {
      TargetDirectory::Placed placed;
      if (into.link(root_, linked->second, entry.name, placed)) {
        note_renamed(entry.path, into.relative(placed.name), placed);
        ++result_.hard_links;
        return;
      }
      // The target cannot link: the name gets a copy of its own (counted as a file).
    }
    std::optional<ntfs::File> file;
    try {
      file = volume_.read_file(entry.file.record);
    } catch (const Error& error) {
      result_.skipped.push_back({entry.path, error.what()});
      return;
    }
    TargetDirectory::Placed placed;
    const int fd = into.create_file(entry.name, placed);
    const std::string relative = into.relative(placed.name);
    note_renamed(entry.path, relative, placed);
    written_.try_emplace(entry.file.record, relative);
    ++result_.files;
    try {
      if (file->find(ntfs::AttributeType::data) != nullptr) {
        copy_stream(*volume_.open_stream(*file), fd, relative);
      }
      write_named_streams(*file, entry, fd, into, relative);
      record_reparse_point(*file, fd, relative, entry.path);
      record_owner(*file, fd, relative, entry.path);
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
    std::vector<std::byte> buffer(piece_size);
    const std::uint64_t size = stream.size();
    for (std::uint64_t offset = stream.next_data(0); offset < size;) {
      const std::uint64_t end = std::min(stream.next_hole(offset), size);
      while (offset < end) {
        const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(piece_size, end - offset));
        stream.read(offset, std::span(buffer).first(length));
        write_all(fd, std::span(buffer).first(length), offset, relative);
        offset += length;
        result_.bytes += length;
        done_ += length;
        report_progress();
      }
      offset = stream.next_data(end);
    }
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      // A size the target cannot hold (a damaged or crafted record) costs this file only.
      if (errno == EFBIG || errno == EINVAL) {
        throw UnsupportedError(fmt::format("{} bytes: more than the target holds in one file", size),
                               {relative, std::nullopt});
      }
      target_failed("cannot size", relative);
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
    if (options_.progress && !options_.progress(done_, total_)) throw CancelledError("extract: cancelled");
  }

  const ntfs::Volume& volume_;
  const ntfs::Catalog& catalog_;
  const ntfs::SecurityOwners& owners_;
  const TargetDirectory& root_;
  const ExtractOptions& options_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  ExtractResult& result_;
  std::vector<Pending> stack_;
  std::unordered_set<std::uint64_t> visited_;
  std::unordered_map<std::uint64_t, std::string> written_;  // record -> where its first name went
  bool xattrs_refused_ = false;
};

// The catalog's entry for the file at `path`, as a listing entry named as the volume
// names it. Throws NotFoundError when there is none.
ntfs::ListedEntry chosen_entry(const ntfs::Volume& volume, const ntfs::Catalog& catalog, const std::string& path) {
  std::optional<ntfs::File> found_file;
  try {
    found_file = volume.open_path(path);
  } catch (const NotFoundError& error) {
    throw NotFoundError(fmt::format("extract: {}: {}", path, error.what()), error.where());
  }
  const ntfs::File& file = *found_file;
  const ntfs::Catalog::Entry* found = catalog.find(file.number());
  if (found == nullptr) {
    throw NotFoundError(fmt::format("extract: {} (record {}) is not an in-use file", path, file.number()),
                        {path, std::nullopt});
  }
  ntfs::ListedEntry entry;
  entry.path = file.number() == root_record ? "/" : catalog.path_of(file.number());
  if (entry.path.empty()) entry.path = path;
  entry.name = entry.path.substr(entry.path.rfind('/') + 1);
  entry.file = found->file;
  entry.is_directory = found->is_directory;
  entry.size = found->size;
  entry.streams = found->streams;
  entry.times = found->times;
  entry.file_attributes = found->file_attributes;
  return entry;
}

// The bytes the chosen files hold (unnamed and named streams), each record once.
std::uint64_t total_bytes(const ntfs::Catalog& catalog, const std::vector<ntfs::ListedEntry>& chosen) {
  std::unordered_set<std::uint64_t> counted;
  std::uint64_t total = 0;
  const auto add = [&](const ntfs::ListedEntry& entry) {
    if (entry.is_directory || !counted.insert(entry.file.record).second) return;
    total += entry.size;
    for (const ntfs::StreamInfo& stream : entry.streams) total += stream.size;
  };
  for (const ntfs::ListedEntry& entry : chosen) {
    add(entry);
    if (entry.is_directory) catalog.walk(entry.file.record, entry.path == "/" ? "" : entry.path, true, add);
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
  const ntfs::Catalog catalog = ntfs::Catalog::build(volume);
  std::vector<ntfs::ListedEntry> chosen;
  for (const std::string& path : paths) chosen.push_back(chosen_entry(volume, catalog, path));
  const TargetDirectory root = TargetDirectory::open_target(target.string());
  ExtractResult result;
  ntfs::SecurityOwners owners;
  try {
    owners = ntfs::SecurityOwners::read(volume);
  } catch (const Error& error) {
    // An unreadable $Secure costs the owners only.
    result.skipped.push_back({"/$Secure:$SDS", fmt::format("owners not recorded: {}", error.what())});
  }
  Extractor extractor(volume, catalog, owners, root, options, total_bytes(catalog, chosen), result);
  for (const ntfs::ListedEntry& entry : chosen) extractor.extract(entry, root, entry.path == "/");
  return result;
}

}  // namespace diskimg
