/// @file
/// Where writers put bytes: a file opened for writing (pwrite), or in tests a file that fails
/// part-way, to show what an interrupted writer leaves behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace diskimg {

/// Where a writer (vhd::VhdWriter, a conversion) puts its bytes. An implementation says
/// whether several threads may call it at once; the library's writers call their sink from
/// one thread at a time.
class ByteSink {
 public:
  /// Releases what the sink holds (FileSink closes its file); writes nothing more.
  virtual ~ByteSink() = default;
  /// Writes all of `data` at `offset` or throws IoError naming the offset. After a throw,
  /// any part of `data` may have been written.
  virtual void write(std::uint64_t offset, std::span<const std::byte> data) = 0;
  /// Reads back bytes already there (zeros past the end); writers merge partial sectors.
  /// Throws IoError when reading fails.
  virtual void read(std::uint64_t offset, std::span<std::byte> buffer) = 0;
  /// The current length in bytes. Throws IoError when it cannot be had.
  virtual std::uint64_t size() = 0;
  /// Makes the sink `size` bytes long: cut, or extended with zeros (a hole where it can).
  /// Throws IoError when it cannot; the length is then unknown.
  virtual void resize(std::uint64_t size) = 0;
  /// Makes everything written so far durable. Throws IoError when flushing fails.
  virtual void sync() = 0;
  /// A short name for messages: the file's path.
  virtual std::string name() const = 0;
};

/// A file opened for reading and writing through pread and pwrite. Owns its descriptor
/// (closed when the sink is destroyed; nothing is flushed then: call sync). It keeps no
/// other state, so calls from several threads do not race, though writes to overlapping
/// ranges land in no set order.
class FileSink final : public ByteSink {
 public:
  /// How the file is opened.
  enum class Mode {
    create_new,     ///< a new file; an existing one is an error, never overwritten
    open_existing   ///< a file that must exist, written in place
  };
  /// Opens `path` for reading and writing, holding an exclusive advisory lock (flock) on it
  /// until destroyed, so that no other sink writes it meanwhile. Throws IoError when it
  /// cannot be opened, when another sink holds the lock ("in use"), and for create_new
  /// when the file exists already ("already exists; not overwritten"); nothing is created
  /// then. A new file gets exactly `permissions` (their rwx bits) when given:
  /// the umask takes nothing away, and the file is never more open than that, even while it
  /// is being created. Without them it gets 0644 less the umask.
  FileSink(const std::filesystem::path& path, Mode mode,
           std::optional<std::filesystem::perms> permissions = std::nullopt);
  /// Closes the file.
  ~FileSink() override;
  /// Not copyable: the sink owns its descriptor.
  FileSink(const FileSink&) = delete;
  /// Not assignable: the sink owns its descriptor.
  FileSink& operator=(const FileSink&) = delete;

  /// Writes with pwrite until all is written (EINTR retried). Throws IoError naming the
  /// offset at which writing stopped; the bytes before it are written.
  void write(std::uint64_t offset, std::span<const std::byte> data) override;
  /// Reads with pread; bytes past the end of the file read as zeros. Throws IoError naming
  /// the offset when a read fails.
  void read(std::uint64_t offset, std::span<std::byte> buffer) override;
  /// The file's length (fstat). Throws IoError when fstat fails.
  std::uint64_t size() override;
  /// Sets the length of the file this sink has open (ftruncate, not by its name, which may
  /// name another file by now): what it gains reads as zeros and takes no space. Throws
  /// IoError when it fails.
  void resize(std::uint64_t size) override;
  /// fdatasync. Throws IoError when it fails.
  void sync() override;
  /// The path the sink was opened with.
  std::string name() const override { return path_.string(); }

 private:
  std::filesystem::path path_;
  int descriptor_ = -1;
};

}  // namespace diskimg
