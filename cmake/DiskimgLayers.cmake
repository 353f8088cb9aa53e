# The layers of the library, as the build enforces them.
#
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(DISKIMG_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(DISKIMG_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

# diskimg_layer(NAME [USES lower...] SOURCES file...) makes the library diskimg_NAME
# (diskimg::NAME) from lib/NAME/. It links the layers it USES, and through them every layer
# below those. Its code sees only the headers of those layers: each layer compiles against a
# staged include tree (build/layers/NAME/) holding links to its own public and private
# folders; a layer's public folder reaches the layers above it through their links. An
# #include of a higher layer's header, or of another layer's private header, then finds no
# file and the build fails. lib/core's private helpers (load, allocate, crc32, utf, hex,
# enum_names, read_ahead, checksums) serve every layer.
#
# Each layer is recorded in build/layers.txt ("NAME: USES...") for the layering tests and
# docs/architecture.md.

set(DISKIMG_LAYER_STAGE ${PROJECT_BINARY_DIR}/layers)
file(REMOVE_RECURSE ${DISKIMG_LAYER_STAGE})
set_property(GLOBAL PROPERTY DISKIMG_LAYERS "")

# A probe: "LAYER:HEADER" adds a file including <HEADER> to that layer, to show that the
# build refuses an upward include (tests/layering/probe_test.sh).
set(DISKIMG_LAYER_PROBE "" CACHE STRING "LAYER:HEADER to include from a probe file in LAYER")

function(diskimg_stage_link original link)
  get_filename_component(directory ${link} DIRECTORY)
  file(MAKE_DIRECTORY ${directory})
  file(CREATE_LINK ${original} ${link} SYMBOLIC)
endfunction()

function(diskimg_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "USES;SOURCES")
  set(target diskimg_${name})
  set(stage ${DISKIMG_LAYER_STAGE}/${name})
  set(sources ${arg_SOURCES})
  if(DISKIMG_LAYER_PROBE MATCHES "^${name}:(.+)$")
    set(probe ${stage}/probe/layer_probe.cpp)
    file(WRITE ${probe} "// Generated: DISKIMG_LAYER_PROBE=${DISKIMG_LAYER_PROBE}\n#include <${CMAKE_MATCH_1}>\n")
    list(APPEND sources ${probe})
  endif()
  # Static by default; shared with BUILD_SHARED_LIBS, each layer a libdiskimg_NAME.so with
  # the library's version and an soname that changes when its interface may (0.MINOR
  # while the major version is 0, then MAJOR).
  add_library(${target} ${sources})
  add_library(diskimg::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} VERSION ${PROJECT_VERSION}
                        SOVERSION ${DISKIMG_SOVERSION})

  diskimg_stage_link(${PROJECT_SOURCE_DIR}/include/diskimg/${name} ${stage}/public/diskimg/${name})
  diskimg_stage_link(${CMAKE_CURRENT_SOURCE_DIR}/${name} ${stage}/private/${name})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${stage}/public> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${stage}/private ${DISKIMG_LAYER_STAGE}/core/private)
  foreach(lower IN LISTS arg_USES)
    if(NOT TARGET diskimg_${lower})
      message(FATAL_ERROR "layer ${name} uses ${lower}, which is not defined below it")
    endif()
    target_link_libraries(${target} PUBLIC diskimg_${lower})
  endforeach()
  # fmt's headers only: its compiled part is in core (lib/core/fmt_compiled.cpp).
  target_include_directories(${target} SYSTEM PRIVATE $<TARGET_PROPERTY:fmt::fmt,INTERFACE_INCLUDE_DIRECTORIES>)
  target_link_libraries(${target} PRIVATE Boost::headers)
  target_compile_features(${target} PUBLIC cxx_std_20)

  set_property(GLOBAL APPEND PROPERTY DISKIMG_LAYERS ${name})
  string(REPLACE ";" " " uses "${arg_USES}")
  file(APPEND ${PROJECT_BINARY_DIR}/layers.txt "${name}: ${uses}\n")
  # What the layer's code is compiled with, for the header tests.
  file(GENERATE OUTPUT ${stage}/include_directories.txt
       CONTENT "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>\n")
endfunction()
