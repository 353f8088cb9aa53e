// Where writers put bytes: a file opened for writing (pwrite), or in tests a file that fails
// part-way, to show what an interrupted writer leaves behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace diskimg {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes all of `data` at `offset` or throws IoError naming the offset.
  virtual void write(std::uint64_t offset, std::span<const std::byte> data) = 0;
  // Reads back bytes already there (zeros past the end); writers merge partial sectors.
  virtual void read(std::uint64_t offset, std::span<std::byte> buffer) = 0;
  virtual std::uint64_t size() = 0;
  // Makes everything written so far durable.
  virtual void sync() = 0;
  virtual std::string name() const = 0;
};

class FileSink final : public ByteSink {
 public:
  enum class Mode { create_new, open_existing };
  // create_new refuses to touch an existing file (IoError); open_existing needs one. A new
  // file gets exactly `permissions` (their rwx bits) when given: the umask takes nothing
  // away, and the file is never more open than that, even while it is being created.
  // Without them it gets 0644 less the umask.
  FileSink(const std::filesystem::path& path, Mode mode,
           std::optional<std::filesystem::perms> permissions = std::nullopt);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void write(std::uint64_t offset, std::span<const std::byte> data) override;
  void read(std::uint64_t offset, std::span<std::byte> buffer) override;
  std::uint64_t size() override;
  // Sets the length of the file this sink has open (ftruncate, not by its name, which may
  // name another file by now): what it gains reads as zeros and takes no space.
  void resize(std::uint64_t size);
  void sync() override;
  std::string name() const override { return path_.string(); }

 private:
  std::filesystem::path path_;
  int descriptor_ = -1;
};

}  // namespace diskimg
