// The directory extract fills: entries made below it with *at() calls on open descriptors,
// so that no name, whatever it holds, reaches outside it, no symbolic link is followed and
// nothing that exists is replaced. Names the target cannot take are changed predictably.
#pragma once

#include <functional>
#include <string>

namespace diskimg {

// An open directory below the target (or the target itself). Owns its descriptor. For
// one thread.
class TargetDirectory {
 public:
  // Opens the target, making it when it does not exist (its parent must). Throws UsageError
  // when it exists and is not a directory, IoError when it cannot be made or opened.
  static TargetDirectory open_target(const std::string& path);
  TargetDirectory(TargetDirectory&& other) noexcept;
  TargetDirectory& operator=(TargetDirectory&& other) noexcept;
  TargetDirectory(const TargetDirectory&) = delete;
  TargetDirectory& operator=(const TargetDirectory&) = delete;
  ~TargetDirectory();

  // The name an entry got, and why it is not the one asked for ("" when it is).
  struct Placed {
    std::string name;
    std::string reason;
  };

  // Makes the subdirectory `name` (or a name changed as `place` says) and opens it.
  TargetDirectory make_directory(const std::string& name, Placed& placed) const;
  // Creates the regular file `name` (or a name changed as `place` says), open for writing.
  // Returns its descriptor, which the caller closes.
  int create_file(const std::string& name, Placed& placed) const;
  // Links the file at `existing` (relative to `root`: names extract made itself) as `name`
  // here (or a name changed for being taken). Returns false when the target cannot make the
  // link (no hard links on it, too many, a first name too deep to reach); nothing is made.
  bool link(const TargetDirectory& root, const std::string& existing, const std::string& name,
            Placed& placed) const;

  // Another handle on the same directory (a duplicated descriptor).
  TargetDirectory duplicate() const;

  int descriptor() const { return fd_; }
  // Relative to the target: "" for the target itself, "dir/sub" below it.
  const std::string& relative_path() const { return relative_; }
  // `name` below this directory, relative to the target.
  std::string relative(const std::string& name) const { return relative_.empty() ? name : relative_ + "/" + name; }

 private:
  TargetDirectory(int fd, std::string relative) : fd_(fd), relative_(std::move(relative)) {}
  // Tries `make` with the name, or with a changed name while the target refuses it: EEXIST
  // gives "~2", "~3", ... before the extension; ENAMETOOLONG a shortened name with a hash;
  // EINVAL or EILSEQ every byte outside [A-Za-z0-9._ -] as %XX. `make` returns 0 or an
  // errno. Throws IoError for other errors, or when no name is found.
  Placed place(const std::string& name, const std::function<int(const std::string&)>& make) const;

  int fd_ = -1;
  std::string relative_;
};

// The name as a single path component: "." and ".." and names holding '/' or NUL have
// those escaped as %XX ('%' too, then), with the reason; other names unchanged.
TargetDirectory::Placed safe_component(const std::string& name);

}  // namespace diskimg
