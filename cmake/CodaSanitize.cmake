# CODA_SANITIZE (e.g. "address,undefined", as the debug-asan-ubsan preset sets
# it): compiles the runtime, the apps and the tests with -fsanitize, never the
# generators (an instrumented generator only makes code generation slow; the
# code it emits is not compiled by the C++ compiler anyway).
#
# The pipeline libraries get the sanitizer from Halide instead: with
# "address" in the list, every pipeline target gains Halide's `asan`
# feature. All libraries on one Halide runtime must agree on it, so it goes on
# every target variable, x86, CUDA and OpenCL alike.
#
# Include this file before add_subdirectory(generators): it changes the target
# variables the generators read, and defers the compile flags to the end of the
# top-level directory, when all targets exist.
include_guard(GLOBAL)

set(CODA_SANITIZE "" CACHE STRING
    "Sanitizers for runtime, apps and tests, as for -fsanitize= (e.g. address,undefined); empty: none")

if (NOT CODA_SANITIZE)
    return()
endif ()

string(REPLACE "," ";" _coda_sanitizers "${CODA_SANITIZE}")
if ("address" IN_LIST _coda_sanitizers)
    # Normal variables shadow the cache entries for the rest of the configure
    # run, so the cache keeps what the user chose.
    foreach (var IN ITEMS CODA_X86_TARGETS CODA_X86_TARGET CODA_CUDA_TARGET CODA_OPENCL_TARGET)
        if (DEFINED ${var} AND NOT "${${var}}" MATCHES "-asan")
            list(TRANSFORM ${var} APPEND "-asan")
            message(STATUS "CODA_SANITIZE: ${var} = ${${var}}")
        endif ()
    endforeach ()
endif ()

function(_coda_apply_sanitizers)
    set(flags -fsanitize=${CODA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    get_property(dirs DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTY SUBDIRECTORIES)
    foreach (dir IN LISTS dirs)
        get_filename_component(name "${dir}" NAME)
        if (NOT name MATCHES "^(runtime|apps|tests)$")
            continue()
        endif ()
        get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
        foreach (t IN LISTS targets)
            get_target_property(type ${t} TYPE)
            if (type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY|MODULE_LIBRARY|EXECUTABLE)$")
                target_compile_options(${t} PRIVATE ${flags})
            endif ()
        endforeach ()
    endforeach ()
    # Whatever links the static libraries needs the sanitizer runtimes, also
    # outside projects using the installed package.
    if (TARGET coda_core)
        target_link_options(coda_core INTERFACE -fsanitize=${CODA_SANITIZE})
    endif ()
    if (TARGET coda_runtime)
        target_link_options(coda_runtime INTERFACE -fsanitize=${CODA_SANITIZE})
    endif ()
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL _coda_apply_sanitizers)
