/// @file
/// The library's version. CMakeLists.txt and setup.py read the numbers from here, so this
/// is the one place a release changes them.
#pragma once

#include <string_view>

#define DISKIMG_VERSION_MAJOR 0
#define DISKIMG_VERSION_MINOR 2
#define DISKIMG_VERSION_PATCH 0

#define DISKIMG_VERSION_TEXT_(x) #x
#define DISKIMG_VERSION_TEXT(x) DISKIMG_VERSION_TEXT_(x)

namespace diskimg {

/// The version as "MAJOR.MINOR.PATCH".
inline constexpr std::string_view version = DISKIMG_VERSION_TEXT(DISKIMG_VERSION_MAJOR) "." DISKIMG_VERSION_TEXT(
    DISKIMG_VERSION_MINOR) "." DISKIMG_VERSION_TEXT(DISKIMG_VERSION_PATCH);

}  // namespace diskimg
