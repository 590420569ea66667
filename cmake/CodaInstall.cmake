# `cmake --install` of CoDA-Halide as the CMake package `coda`:
#
#   lib/                     libcoda_runtime.a, libcoda_core.a, every AOT pipeline library
#                            add_halide_library made (all variants) and their Halide runtimes
#   include/coda/            the public headers; coda.h is the embedding API
#   include/coda/pipelines/  the generated pipeline headers (coda_forward.h, ...)
#   lib/cmake/coda/          codaConfig.cmake, codaConfigVersion.cmake, codaTargets*.cmake
#   bin/coda                 the command-line app (full builds only)
#
# An outside project writes find_package(coda CONFIG REQUIRED) and links
# coda::runtime (or coda::core in a layer-only build); the pipeline libraries,
# their runtimes and the system libraries come with it.
#
# The pipeline libraries are not listed here: they are found by walking the
# link dependencies of coda_runtime and coda_core, so variants added in
# generators/CMakeLists.txt are installed as they appear. Include this file
# after every add_subdirectory().
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CODA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/coda"
    CACHE STRING "Where `cmake --install` puts codaConfig.cmake, relative to the prefix")
set(_coda_pipeline_includedir "${CMAKE_INSTALL_INCLUDEDIR}/coda/pipelines")

# The link items of `target`: targets of this project in <deps_out>, package
# targets (Name::target) in <external_out>. Plain names (dl) need no package.
function(_coda_link_items target deps_out external_out)
    set(items "")
    get_target_property(type ${target} TYPE)
    get_target_property(imported ${target} IMPORTED)
    if (NOT type STREQUAL "INTERFACE_LIBRARY" AND NOT imported)
        get_target_property(direct ${target} LINK_LIBRARIES)
        if (direct)
            list(APPEND items ${direct})
        endif ()
    endif ()
    get_target_property(usage ${target} INTERFACE_LINK_LIBRARIES)
    if (usage)
        list(APPEND items ${usage})
    endif ()
    set(deps "")
    set(external "")
    foreach (item IN LISTS items)
        # A static library's private deps appear as $<LINK_ONLY:x>; they still
        # have to be linked. $<BUILD_INTERFACE:x> never reaches the install tree.
        string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
        if (item MATCHES "^::@" OR item MATCHES "\\$<")
            continue()  # directory markers of cross-directory links; other genexes
        endif ()
        if (TARGET "${item}")
            get_target_property(aliased "${item}" ALIASED_TARGET)
            if (aliased)
                set(item "${aliased}")
            endif ()
        endif ()
        if (item MATCHES "::")
            list(APPEND external "${item}")
        elseif (TARGET "${item}")
            list(APPEND deps "${item}")
        endif ()
    endforeach ()
    set(${deps_out} "${deps}" PARENT_SCOPE)
    set(${external_out} "${external}" PARENT_SCOPE)
endfunction()

# Name a target has in the package: coda_runtime -> coda::runtime,
# coda_forward.runtime -> coda::forward.runtime.
function(_coda_export_name target out)
    string(REGEX REPLACE "^coda_" "" name "${target}")
    set(${out} "${name}" PARENT_SCOPE)
endfunction()

# Walk from the libraries users link.
set(_coda_roots "")
foreach (t IN ITEMS coda_runtime coda_core)
    if (TARGET ${t})
        list(APPEND _coda_roots ${t})
    endif ()
endforeach ()
if (NOT _coda_roots)
    message(FATAL_ERROR "CodaInstall.cmake: neither coda_runtime nor coda_core exists yet; "
                        "include it after add_subdirectory(runtime)")
endif ()
set(_coda_queue ${_coda_roots})
set(_coda_targets "")
set(_coda_external "")
while (_coda_queue)
    list(POP_FRONT _coda_queue _coda_t)
    if (_coda_t IN_LIST _coda_targets)
        continue()
    endif ()
    list(APPEND _coda_targets ${_coda_t})
    _coda_link_items(${_coda_t} _coda_deps _coda_ext)
    list(APPEND _coda_queue ${_coda_deps})
    list(APPEND _coda_external ${_coda_ext})
endwhile ()
list(REMOVE_DUPLICATES _coda_external)

# Build-tree aliases, so a parent project using add_subdirectory() links the
# same names as one using the installed package.
foreach (t IN LISTS _coda_roots ITEMS coda_kernels)
    _coda_export_name(${t} _coda_name)
    if (TARGET ${t} AND NOT TARGET coda::${_coda_name})
        add_library(coda::${_coda_name} ALIAS ${t})
    endif ()
endforeach ()

# Built targets are exported with install(TARGETS). Libraries add_halide_library
# made for a foreign triple (e.g. arm-64-linux in a host build) are IMPORTED
# .a files, which install(EXPORT) cannot carry: they are copied, and
# codaPipelines.cmake recreates them under their build names (the exported
# targets that link them refer to those names).
set(_coda_built "")
set(_coda_imported_code "")
set(_coda_halide_targets "")
foreach (t IN LISTS _coda_targets)
    get_target_property(_coda_imported ${t} IMPORTED)
    get_target_property(_coda_rt_targets ${t} Halide_RT_TARGETS)
    if (_coda_rt_targets)
        list(APPEND _coda_halide_targets ${_coda_rt_targets})
    endif ()
    # add_halide_library makes <lib>.update; a runtime carries Halide_RT_TARGETS
    # and has no header.
    set(_coda_is_pipeline FALSE)
    if (TARGET ${t}.update AND NOT _coda_rt_targets)
        set(_coda_is_pipeline TRUE)
    endif ()
    if (_coda_is_pipeline)
        get_target_property(_coda_dir ${t} BINARY_DIR)
        install(FILES "${_coda_dir}/${t}.h" DESTINATION ${_coda_pipeline_includedir})
    endif ()

    if (NOT _coda_imported)
        list(APPEND _coda_built ${t})
        _coda_export_name(${t} _coda_name)
        set_target_properties(${t} PROPERTIES EXPORT_NAME ${_coda_name})
        if (_coda_is_pipeline)
            target_include_directories(${t} INTERFACE $<INSTALL_INTERFACE:${_coda_pipeline_includedir}>)
        endif ()
        continue()
    endif ()

    get_target_property(_coda_location ${t} IMPORTED_LOCATION)
    if (NOT _coda_location)
        message(WARNING "CodaInstall.cmake: imported ${t} has no IMPORTED_LOCATION; not installed")
        continue()
    endif ()
    get_filename_component(_coda_file "${_coda_location}" NAME)
    install(FILES "${_coda_location}" DESTINATION ${CMAKE_INSTALL_LIBDIR})
    _coda_link_items(${t} _coda_deps _coda_ext)
    set(_coda_links "")
    foreach (d IN LISTS _coda_deps)
        get_target_property(_coda_d_imported ${d} IMPORTED)
        if (_coda_d_imported)
            list(APPEND _coda_links ${d})
        else ()
            _coda_export_name(${d} _coda_name)
            list(APPEND _coda_links coda::${_coda_name})
        endif ()
    endforeach ()
    list(APPEND _coda_links ${_coda_ext} ${CMAKE_DL_LIBS})
    list(REMOVE_DUPLICATES _coda_links)
    string(APPEND _coda_imported_code
           "if (NOT TARGET ${t})\n"
           "    add_library(${t} STATIC IMPORTED)\n"
           "    set_target_properties(${t} PROPERTIES\n"
           "        IMPORTED_LOCATION \"\${PACKAGE_PREFIX_DIR}/${CMAKE_INSTALL_LIBDIR}/${_coda_file}\"\n"
           "        INTERFACE_LINK_LIBRARIES \"${_coda_links}\"")
    if (_coda_is_pipeline)
        string(APPEND _coda_imported_code
               "\n        INTERFACE_INCLUDE_DIRECTORIES \"\${PACKAGE_PREFIX_DIR}/${_coda_pipeline_includedir}\"")
    endif ()
    string(APPEND _coda_imported_code ")\nendif ()\n")
endforeach ()
list(REMOVE_DUPLICATES _coda_halide_targets)

install(TARGETS ${_coda_built}
        EXPORT codaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT codaTargets NAMESPACE coda:: DESTINATION ${CODA_INSTALL_CMAKEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/coda
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
if (TARGET coda)
    install(TARGETS coda RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif ()

# What the exported targets link, as find_dependency() calls for the config.
set(CODA_FIND_DEPENDENCIES "")
foreach (ext IN LISTS _coda_external)
    string(REGEX REPLACE "::.*$" "" _coda_pkg "${ext}")
    if (ext STREQUAL "Halide::Runtime")
        # Halide::Runtime (HalideBuffer.h, HalideRuntime.h) is defined by HalideHelpers.
        set(_coda_line "find_dependency(HalideHelpers 14)")
    elseif (ext STREQUAL "Threads::Threads")
        set(_coda_line "set(THREADS_PREFER_PTHREAD_FLAG TRUE)\nfind_dependency(Threads)")
    else ()
        set(_coda_line "find_dependency(${_coda_pkg})")  # PNG::PNG -> PNG, ZLIB::ZLIB -> ZLIB, ...
    endif ()
    string(FIND "${CODA_FIND_DEPENDENCIES}" "${_coda_line}" _coda_at)
    if (_coda_at EQUAL -1)
        string(APPEND CODA_FIND_DEPENDENCIES "${_coda_line}\n")
    endif ()
endforeach ()
set(CODA_HALIDE_TARGETS "${_coda_halide_targets}")

set(_coda_gen "${PROJECT_BINARY_DIR}/cmake/coda")
if (_coda_imported_code)
    file(WRITE "${_coda_gen}/codaPipelines.cmake"
         "# Pipeline libraries built for a foreign triple (IMPORTED in the build).\n"
         "${_coda_imported_code}")
    install(FILES "${_coda_gen}/codaPipelines.cmake" DESTINATION ${CODA_INSTALL_CMAKEDIR})
else ()
    file(REMOVE "${_coda_gen}/codaPipelines.cmake")
endif ()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/codaConfig.cmake.in
                              "${_coda_gen}/codaConfig.cmake"
                              INSTALL_DESTINATION ${CODA_INSTALL_CMAKEDIR})
# 0.x: a new minor version may change the API.
write_basic_package_version_file("${_coda_gen}/codaConfigVersion.cmake"
                                 VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${_coda_gen}/codaConfig.cmake" "${_coda_gen}/codaConfigVersion.cmake"
        DESTINATION ${CODA_INSTALL_CMAKEDIR})
