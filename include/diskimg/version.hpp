/// @file
/// The library's version. CMakeLists.txt and setup.py read the numbers from here, so this
/// is the one place a release changes them.
#pragma once

#include <string_view>

/// The major version.
#define DISKIMG_VERSION_MAJOR 0
/// The minor version. `find_package(diskimg 0.2)` accepts any 0.2.x release: the package's
/// version file asks for the same major and minor version.
#define DISKIMG_VERSION_MINOR 2
/// The patch version.
#define DISKIMG_VERSION_PATCH 0

/// Turns its argument into a string literal (the inner step of DISKIMG_VERSION_TEXT).
#define DISKIMG_VERSION_TEXT_(x) #x
/// Turns its argument, macros expanded first, into a string literal: "0" for
/// DISKIMG_VERSION_MAJOR.
#define DISKIMG_VERSION_TEXT(x) DISKIMG_VERSION_TEXT_(x)

namespace diskimg {

/// The version as "MAJOR.MINOR.PATCH".
inline constexpr std::string_view version = DISKIMG_VERSION_TEXT(DISKIMG_VERSION_MAJOR) "." DISKIMG_VERSION_TEXT(
    DISKIMG_VERSION_MINOR) "." DISKIMG_VERSION_TEXT(DISKIMG_VERSION_PATCH);

}  // namespace diskimg
