// A file whose writer is stopped, as a kill would stop it, after a given number of writes:
// the writer crash tests of the VHD and VHDX writers.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_sink.hpp>

#include <filesystem>

namespace diskimg::testing {

// Writes and resizes pass through to a new file until `limit` of them have been made; the
// next one throws IoError and writes nothing. Flushes do nothing: a killed process loses
// no write it made, only those it did not reach.
class CrashingSink final : public ByteSink {
 public:
  // `writes` counts the writes made; it outlives the sink, which the writer owns.
  CrashingSink(const std::filesystem::path& path, std::size_t limit, std::size_t& writes,
               FileSink::Mode mode = FileSink::Mode::create_new)
      : file_(path, mode), limit_(limit), writes_(writes) {}
  void write(std::uint64_t offset, std::span<const std::byte> data) override {
    count();
    file_.write(offset, data);
  }
  void read(std::uint64_t offset, std::span<std::byte> buffer) override { file_.read(offset, buffer); }
  std::uint64_t size() override { return file_.size(); }
  void resize(std::uint64_t size) override {
    count();
    file_.resize(size);
  }
  void sync() override {}
  std::string name() const override { return file_.name(); }

 private:
  void count() {
    if (writes_ == limit_) throw IoError("simulated crash");
    ++writes_;
  }

  FileSink file_;
  std::size_t limit_;
  std::size_t& writes_;
};

}  // namespace diskimg::testing
