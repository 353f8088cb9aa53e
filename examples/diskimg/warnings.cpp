#include "warnings.hpp"

#include <iostream>

namespace diskimg::tool {

void print_warnings(const Warnings& warnings) {
  for (const Warning& warning : warnings) std::cerr << "diskimg: warning: " << warning.what << '\n';
}

std::vector<std::string> messages(const Warnings& warnings) {
  std::vector<std::string> texts;
  for (const Warning& warning : warnings) texts.push_back(warning.what);
  return texts;
}

}  // namespace diskimg::tool
