#include "extract/target_directory.hpp"

#include <diskimg/core/error.hpp>

#include <cerrno>
#include <cstring>
#include <utility>
#include <functional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace diskimg {
namespace {

// Enough for names taken by a file that exists and by names differing only in case.
constexpr int max_suffix = 1000;
// A shortened name keeps this many bytes of the original before its hash (NAME_MAX is 255).
constexpr std::size_t kept_bytes = 200;

std::string percent(unsigned char c) { return fmt::format("%{:02X}", c); }

// "name~N.ext": the suffix before the last extension, so the type stays recognisable.
std::string with_suffix(const std::string& name, int number) {
  const std::size_t dot = name.rfind('.');
  const std::string suffix = fmt::format("~{}", number);
  if (dot == std::string::npos || dot == 0) return name + suffix;
  return name.substr(0, dot) + suffix + name.substr(dot);
}

// The first bytes of a UTF-8 name, cut at a character boundary, and a hash of all of it.
std::string shortened(const std::string& name) {
  std::size_t cut = std::min(kept_bytes, name.size());
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}~{:016x}", name.substr(0, cut), std::hash<std::string>{}(name));
}

std::string escaped_for_any_target(const std::string& name) {
  std::string out;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') ||
                       byte == '.' || byte == '_' || byte == ' ' || byte == '-';
    out += plain ? std::string(1, c) : percent(byte);
  }
  return out == "." || out == ".." ? percent('.') + out.substr(1) : out;
}

std::string join(std::string first, const std::string& second) {
  if (first.empty()) return second;
  if (!second.empty()) first += "; " + second;
  return first;
}

}  // namespace

TargetDirectory::Placed safe_component(const std::string& name) {
  if (name.empty()) return {"%00", "an empty name"};
  if (name == "." || name == "..") return {name == "." ? "%2E" : "%2E%2E", "a name that means a directory itself"};
  const bool slash = name.find('/') != std::string::npos;
  const bool nul = name.find('\0') != std::string::npos;
  if (!slash && !nul) return {name, ""};
  std::string out;
  for (const char c : name) {
    if (c == '/' || c == '\0' || c == '%') {
      out += percent(static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return {out, slash ? "'/' in the name" : "NUL in the name"};
}

TargetDirectory TargetDirectory::open_target(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    throw IoError(fmt::format("extract: cannot make the directory {}: {}", path, std::strerror(errno)),
                  {path, std::nullopt});
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOTDIR) {
      throw UsageError(fmt::format("extract: {} exists and is not a directory", path), {path, std::nullopt});
    }
    throw IoError(fmt::format("extract: cannot open the directory {}: {}", path, std::strerror(errno)),
                  {path, std::nullopt});
  }
  return TargetDirectory(fd, "");
}

TargetDirectory::TargetDirectory(TargetDirectory&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), relative_(std::move(other.relative_)) {}

TargetDirectory& TargetDirectory::operator=(TargetDirectory&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    relative_ = std::move(other.relative_);
  }
  return *this;
}

TargetDirectory::~TargetDirectory() {
  if (fd_ >= 0) ::close(fd_);
}

TargetDirectory TargetDirectory::duplicate() const {
  const int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    throw IoError(fmt::format("extract: cannot open {} again: {}", relative_.empty() ? "." : relative_,
                              std::strerror(errno)));
  }
  return TargetDirectory(fd, relative_);
}

TargetDirectory::Placed TargetDirectory::place(const std::string& name,
                                               const std::function<int(const std::string&)>& make) const {
  Placed placed = safe_component(name);
  const std::string base = placed.name;
  std::string stem = base;  // what suffixes are added to
  bool shortened_once = false;  // a name still too long once shortened is an error, not a loop
  for (int attempt = 1; attempt <= max_suffix; ++attempt) {
    const std::string candidate = attempt == 1 ? stem : with_suffix(stem, attempt);
    const int error = make(candidate);
    if (error == 0) {
      placed.name = candidate;
      if (attempt > 1) placed.reason = join(placed.reason, "the name is taken (by an existing entry, or by another name "
                                                           "differing in case on this target)");
      return placed;
    }
    if (error == EEXIST) continue;
    if (error == ENAMETOOLONG && stem.size() > kept_bytes && !shortened_once) {
      stem = shortened(stem);
      shortened_once = true;
      placed.reason = join(placed.reason, "too long for the target");
      attempt = 0;
      continue;
    }
    if ((error == EINVAL || error == EILSEQ) && stem != escaped_for_any_target(stem)) {
      stem = escaped_for_any_target(stem);
      placed.reason = join(placed.reason, "refused by the target");
      attempt = 0;
      continue;
    }
    throw IoError(fmt::format("extract: cannot make {}: {}", relative(candidate), std::strerror(error)),
                  {relative(candidate), std::nullopt});
  }
  throw IoError(fmt::format("extract: no free name for {} in {} after {} tries", name,
                            relative_.empty() ? "." : relative_, max_suffix),
                {relative(base), std::nullopt});
}

TargetDirectory TargetDirectory::make_directory(const std::string& name, Placed& placed) const {
  placed = place(name, [&](const std::string& candidate) {
    return ::mkdirat(fd_, candidate.c_str(), 0755) == 0 ? 0 : errno;
  });
  const int fd = ::openat(fd_, placed.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    throw IoError(fmt::format("extract: cannot open {}: {}", relative(placed.name), std::strerror(errno)),
                  {relative(placed.name), std::nullopt});
  }
  return TargetDirectory(fd, relative(placed.name));
}

int TargetDirectory::create_file(const std::string& name, Placed& placed) const {
  int fd = -1;
  placed = place(name, [&](const std::string& candidate) {
    fd = ::openat(fd_, candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    return fd >= 0 ? 0 : errno;
  });
  return fd;
}

bool TargetDirectory::link(const TargetDirectory& root, const std::string& existing, const std::string& name,
                           Placed& placed) const {
  int refused = 0;
  placed = place(name, [&](const std::string& candidate) {
    if (::linkat(root.fd_, existing.c_str(), fd_, candidate.c_str(), 0) == 0) return 0;
    // Only a taken name is the name's fault; a target without hard links (FAT: EPERM), a
    // file at its link limit, or a first name too deep to reach says nothing about it.
    if (errno == EEXIST) return EEXIST;
    refused = errno;
    return 0;
  });
  return refused == 0;
}

}  // namespace diskimg
