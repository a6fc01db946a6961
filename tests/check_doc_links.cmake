# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that every relative link and image of README.md and docs/*.md names a file that exists.
# Run as `cmake -DSOURCE_DIR=<repository root> -P check_doc_links.cmake`.
get_filename_component(SOURCE_DIR "${SOURCE_DIR}" ABSOLUTE)
file(GLOB pages ${SOURCE_DIR}/README.md ${SOURCE_DIR}/docs/*.md)
set(broken "")
foreach(page ${pages})
  get_filename_component(dir ${page} DIRECTORY)
  file(READ ${page} text)
  # Square brackets and semicolons would stop CMake from splitting the matches into a list.
  string(REPLACE "](" "<LINK>" text "${text}")
  string(REGEX REPLACE "[][;]" " " text "${text}")
  string(REGEX MATCHALL "<LINK>[^)# ]+" links "${text}")
  foreach(link ${links})
    string(SUBSTRING "${link}" 6 -1 target)
    if(target MATCHES "^[a-z]+:")
      continue() # http:, https:, mailto:
    endif()
    if(NOT EXISTS "${dir}/${target}")
      file(RELATIVE_PATH shown ${SOURCE_DIR} ${page})
      string(APPEND broken "\n  ${shown}: ${target}")
    endif()
  endforeach()
endforeach()
if(broken)
  message(FATAL_ERROR "links to files that do not exist:${broken}")
endif()
list(LENGTH pages count)
message(STATUS "${count} pages: every relative link resolves")
