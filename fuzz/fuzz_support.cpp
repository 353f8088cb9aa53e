#include "fuzz_support.hpp"

#include "core/checksums.hpp"

#include <diskimg/ntfs/catalog.hpp>
#include <diskimg/ntfs/listing.hpp>
#include <diskimg/ntfs/security.hpp>
#include <diskimg/ntfs/volume.hpp>
#include <diskimg/usedmap/used_map.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <system_error>

#include <cerrno>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

// Every harness links this file: checksums become advisory as the fuzzer starts, unless
// DISKIMG_FUZZ_STRICT_CHECKSUMS=1 asks to see what a normal build does with an input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* strict = std::getenv("DISKIMG_FUZZ_STRICT_CHECKSUMS");
  diskimg::set_checksums_advisory(strict == nullptr || std::string_view(strict) != "1");
  return 0;
}

namespace diskimg::fuzz {
namespace {

constexpr std::string_view sparse_magic = "DIMGSPRS";

class Reader {
 public:
  explicit Reader(std::span<const std::byte> input) : input_(input) {}
  bool at_end() const { return input_.empty(); }
  // A little-endian number of `width` bytes; missing bytes read as zero.
  std::uint64_t number(std::size_t width) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width && i < input_.size(); ++i) {
      value |= std::uint64_t{std::to_integer<std::uint8_t>(input_[i])} << (8 * i);
    }
    input_ = input_.subspan(std::min(width, input_.size()));
    return value;
  }
  std::span<const std::byte> bytes(std::uint64_t length) {
    const std::size_t taken = static_cast<std::size_t>(std::min<std::uint64_t>(length, input_.size()));
    const auto piece = input_.first(taken);
    input_ = input_.subspan(taken);
    return piece;
  }

 private:
  std::span<const std::byte> input_;
};

}  // namespace

std::vector<InputFile> decode_input(std::span<const std::byte> input, std::uint64_t max_size) {
  const bool sparse = input.size() >= sparse_magic.size() &&
                      std::memcmp(input.data(), sparse_magic.data(), sparse_magic.size()) == 0;
  if (!sparse) {
    const auto bytes = input.first(static_cast<std::size_t>(std::min<std::uint64_t>(input.size(), max_size)));
    return {InputFile{bytes.size(), {Extent{0, bytes}}}};
  }
  Reader reader(input.subspan(sparse_magic.size()));
  std::vector<InputFile> files;
  while (files.size() < max_files && (files.empty() || !reader.at_end())) {
    InputFile file;
    file.size = std::min<std::uint64_t>(reader.number(8), max_size);
    const std::uint64_t count = reader.number(2);
    for (std::uint64_t i = 0; i < count && !reader.at_end(); ++i) {
      const std::uint64_t offset = reader.number(8);
      auto bytes = reader.bytes(reader.number(4));
      if (offset >= file.size) continue;
      bytes = bytes.first(static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), file.size - offset)));
      if (!bytes.empty()) file.extents.push_back({offset, bytes});
    }
    files.push_back(std::move(file));
  }
  return files;
}

void SparseSource::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  std::fill(buffer.begin(), buffer.end(), std::byte{0});
  const std::uint64_t end = offset + buffer.size();
  for (const Extent& extent : file_.extents) {
    const std::uint64_t from = std::max(offset, extent.offset);
    const std::uint64_t to = std::min(end, extent.offset + extent.bytes.size());
    if (from >= to) continue;
    std::memcpy(buffer.data() + (from - offset), extent.bytes.data() + (from - extent.offset), to - from);
  }
}

// --- the scratch directory

namespace {

constexpr std::array<const char*, max_files> file_names{"disk.vhd", "parent.vhd", "grandparent.vhd",
                                                        "other.vhd"};

void write_file(const std::filesystem::path& path, const InputFile& file) {
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (descriptor < 0) std::abort();  // the harness's own failure: nothing to fuzz without files
  if (::ftruncate(descriptor, static_cast<off_t>(file.size)) != 0) std::abort();
  for (const Extent& extent : file.extents) {
    std::size_t done = 0;
    while (done < extent.bytes.size()) {
      const ssize_t written = ::pwrite(descriptor, extent.bytes.data() + done, extent.bytes.size() - done,
                                       static_cast<off_t>(extent.offset + done));
      if (written <= 0) std::abort();
      done += static_cast<std::size_t>(written);
    }
  }
  ::close(descriptor);
}

}  // namespace

ScratchDirectory& ScratchDirectory::instance() {
  static ScratchDirectory directory;
  return directory;
}

ScratchDirectory::ScratchDirectory() {
  const std::filesystem::path base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  // libFuzzer leaves through _Exit (and a crash through abort): no atexit handler runs. So
  // each directory is named after its process, and those of processes gone are removed.
  const std::string prefix = "diskimg-fuzz-";
  for (const auto& entry : std::filesystem::directory_iterator(base)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      std::filesystem::remove_all(entry.path(), ignored);
    }
  }
  path_ = base / (prefix + std::to_string(::getpid()));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directory(path_);
  std::filesystem::create_directory_symlink(".", path_ / "sub");
}

std::vector<std::filesystem::path> ScratchDirectory::write(const std::vector<InputFile>& files) {
  // Whatever the last input left (a merge removes the child, a writer adds files) goes.
  for (const auto& entry : std::filesystem::directory_iterator(path_)) {
    if (entry.path().filename() != "sub") std::filesystem::remove_all(entry.path());
  }
  std::vector<std::filesystem::path> paths;
  for (std::size_t i = 0; i < files.size() && i < max_files; ++i) {
    paths.push_back(path_ / file_names[i]);
    write_file(paths.back(), files[i]);
  }
  return paths;
}

// --- a bounded walk over an NTFS volume

namespace {

using namespace diskimg::ntfs;

// Beyond these the walk would be linear in what the input claims rather than in what it
// holds; a real volume that big is read the same way, only a fuzzer cannot wait for it.
constexpr std::uint64_t max_scanned_records = 4096;
constexpr unsigned max_listed_entries = 256;
constexpr unsigned max_directories = 8;
constexpr unsigned max_files_read = 24;
constexpr std::size_t piece_bytes = 4096;

template <typename Action>
void guarded(Action&& action) {
  try {
    action();
  } catch (const Error&) {
  }
}

// A few pieces of a stream: its start, its middle and its end.
void read_pieces(const ByteSource& stream) {
  std::vector<std::byte> buffer(piece_bytes);
  const std::uint64_t size = stream.size();
  for (const std::uint64_t at : {std::uint64_t{0}, size / 2, size > piece_bytes ? size - piece_bytes : 0}) {
    if (at >= size) continue;
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(piece_bytes, size - at));
    stream.read(at, std::span(buffer).first(length));
  }
  // Where its data and holes are, as extract walks them (a bounded number of steps).
  std::uint64_t offset = 0;
  for (int step = 0; step < 16 && offset < size; ++step) {
    const std::uint64_t data = stream.next_data(offset);
    const std::uint64_t hole = stream.next_hole(data);
    if (data < offset || (data < size && hole <= data)) std::abort();  // the contract broken
    offset = hole;
  }
}

void read_streams(const Volume& volume, std::uint64_t record, const SecurityOwners& owners) {
  const File file = volume.read_file(record);
  guarded([&] { (void)owners.owner_of(volume, file); });
  (void)file.names();
  (void)file.preferred_name();
  for (const Attribute& attribute : file.attributes) {
    if (attribute.first_vcn != 0) continue;  // one stream per attribute, not per extent
    if (attribute.type != AttributeType::data && attribute.type != AttributeType::index_allocation &&
        attribute.type != AttributeType::bitmap) {
      continue;
    }
    guarded([&] { read_pieces(*volume.open_stream(file, attribute.type, attribute.name)); });
  }
}

void list_directory(const Volume& volume, std::uint64_t record, const std::string& path) {
  const File directory = volume.read_file(record);
  if (!directory.is_directory()) return;
  const auto entries = volume.list_directory(directory, true);
  if (entries.empty()) return;
  // A lookup by name: the index walk again, with case folding through $UpCase.
  guarded([&] { (void)volume.find_in_directory(directory, entries.back().name.name_utf16); });
  if (path != "/") guarded([&] { (void)volume.open_path(path); });
}

}  // namespace

void exercise_ntfs_volume(SourcePtr source) {
  std::shared_ptr<const Volume> opened;
  try {
    opened = Volume::open(std::move(source));
  } catch (const Error&) {
    return;
  }
  const Volume& volume = *opened;
  guarded([&] { (void)volume.label(); });
  guarded([&] { (void)volume.version(); });

  // Records to look at more closely: the root and system files, then what the listing finds.
  std::vector<std::uint64_t> files{root_directory_record, 0, 3, 6, 9, 10};
  std::vector<std::pair<std::uint64_t, std::string>> directories{{root_directory_record, "/"}};
  const bool small = volume.record_count() <= max_scanned_records;
  guarded([&] {
    if (small) {
      const Catalog catalog = Catalog::build(volume);
      unsigned listed = 0;
      catalog.walk(root_directory_record, "/", true, [&](const ListedEntry& entry) {
        if (++listed > max_listed_entries) return;
        if (entry.is_directory) {
          if (directories.size() < max_directories) directories.push_back({entry.file.record, entry.path});
        } else if (files.size() < max_files_read) {
          files.push_back(entry.file.record);
        }
        if (listed % 16 == 0) (void)catalog.path_of(entry.file.record);
      });
    } else {
      Warnings warnings;
      walk_directory(volume, "/", false, [&](const ListedEntry& entry) {
        if (!entry.is_directory && files.size() < max_files_read) files.push_back(entry.file.record);
      }, warnings);
    }
  });
  for (const auto& directory : directories) {
    guarded([&] { list_directory(volume, directory.first, directory.second); });
  }
  // $Secure:$SDS, scanned for owners as extract does.
  SecurityOwners owners;
  guarded([&] { owners = SecurityOwners::read(volume); });
  for (const std::uint64_t record : files) guarded([&] { read_streams(volume, record, owners); });
  if (small) {
    guarded([&] {
      const UsedMap map = UsedMap::read(volume);
      (void)map.extents();
      (void)verify_used_map(volume, map);
    });
  }
}

}  // namespace diskimg::fuzz
