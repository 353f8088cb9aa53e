#include "progress_line.hpp"
#include "format.hpp"

#include <cstdio>

namespace diskimg::tool {

bool ProgressLine::update(std::uint64_t done, std::uint64_t total) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200) && done < total) return true;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const double left = rate > 0 && total > done ? static_cast<double>(total - done) / rate : 0;
  const unsigned percent = total == 0 ? 100 : static_cast<unsigned>(done * 100 / total);
  std::fprintf(stderr, "\r%s of %s  %3u%%  %s/s  %u:%02u left   ", human_size(done).c_str(), human_size(total).c_str(),
               percent, human_size(static_cast<std::uint64_t>(rate)).c_str(), static_cast<unsigned>(left) / 60,
               static_cast<unsigned>(left) % 60);
  std::fflush(stderr);
  return true;
}

ProgressLine::~ProgressLine() { std::fputs("\n", stderr); }

}  // namespace diskimg::tool
