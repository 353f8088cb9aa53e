// "1.2 GiB of 5.0 GiB  24%  310.5 MiB/s  0:13 left": the progress line of long commands
// (convert, extract), redrawn in place on standard error, at most five times a second.
#pragma once

#include <chrono>
#include <cstdint>

namespace diskimg::tool {

class ProgressLine {
 public:
  // Redraws the line; always returns true (a progress callback's "go on").
  bool update(std::uint64_t done, std::uint64_t total);
  // Ends the line.
  ~ProgressLine();

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace diskimg::tool
