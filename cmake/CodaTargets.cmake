# Configure-time check of the Halide target strings the pipeline libraries are
# built for (CODA_X86_TARGETS, CODA_CUDA_TARGET, CODA_OPENCL_TARGET), so that a
# typo or a target the generators have no schedule for stops `cmake` with a
# list of what is supported, instead of failing in the generator at build time.
#
#   coda_check_halide_targets(<name> <CPU|CUDA|OPENCL> <target>...)
#
# <name> is the variable the targets came from (for the message). A target is
# ARCH-BITS-OS[-FEATURE...] or host[-FEATURE...], as Halide writes it, where:
#   ARCH-BITS-OS  is the triple of the machine the libraries are linked on:
#                 x86-64-linux (x86_64) or arm-64-linux (aarch64); the
#                 generators schedule x86-64, arm-64 and GPU targets only.
#                 (A cross build takes its triple from the toolchain and uses
#                 none of these variables.)
#   FEATURE       a Halide 14 feature from the lists below: the CPU features of
#                 that architecture, the features of any target, and for CUDA
#                 (which must have `cuda`) or OpenCL (which must have `opencl`)
#                 their GPU features. Features that change the pipelines'
#                 calling convention (user_context, c_plus_plus_mangling,
#                 no_runtime, jit, matlab) are not supported: the runtime calls
#                 the pipelines with the plain signature.
# The module has no other dependencies; tests/coda_targets_test.cmake runs it
# in script mode (cmake -P).
include_guard(GLOBAL)

set(CODA_HALIDE_FEATURES_X86
    sse41 avx avx2 avx512 avx512_knl avx512_skylake avx512_cannonlake avx512_sapphirerapids
    f16c fma fma4)
set(CODA_HALIDE_FEATURES_ARM arm_dot_prod arm_fp16 armv81a no_neon sve sve2)
set(CODA_HALIDE_FEATURES_ANY
    asan msan tsan debug no_asserts no_bounds_query profile profile_by_timer strict_float
    large_buffers trace_loads trace_stores trace_realizations trace_pipeline
    check_unsafe_promises enable_llvm_loop_opt disable_llvm_loop_opt embed_bitcode)
set(CODA_HALIDE_FEATURES_CUDA
    cuda cuda_capability_30 cuda_capability_32 cuda_capability_35 cuda_capability_50
    cuda_capability_61 cuda_capability_70 cuda_capability_75 cuda_capability_80
    cuda_capability_86)
set(CODA_HALIDE_FEATURES_OPENCL opencl cl_doubles cl_half cl_atomics64)

# The Halide triple of the machine the libraries are linked on ("" if the
# generators have no schedule for its processor).
function(_coda_machine_triple out)
    if (CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
        set(${out} "x86-64-linux" PARENT_SCOPE)
    elseif (CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
        set(${out} "arm-64-linux" PARENT_SCOPE)
    else ()
        set(${out} "" PARENT_SCOPE)
    endif ()
endfunction()

function(_coda_supported_targets kind triple out)
    string(REPLACE ";" " " x86 "${CODA_HALIDE_FEATURES_X86}")
    string(REPLACE ";" " " arm "${CODA_HALIDE_FEATURES_ARM}")
    string(REPLACE ";" " " any "${CODA_HALIDE_FEATURES_ANY}")
    string(REPLACE ";" " " cuda "${CODA_HALIDE_FEATURES_CUDA}")
    string(REPLACE ";" " " opencl "${CODA_HALIDE_FEATURES_OPENCL}")
    if (triple)
        set(forms "${triple}[-FEATURE...] or host[-FEATURE...]")
    else ()
        string(CONCAT forms "none on this machine's processor '${CMAKE_SYSTEM_PROCESSOR}' (the "
                            "generators schedule x86-64-linux, arm-64-linux and their GPU targets)")
    endif ()
    set(text "Supported targets: ${forms}, where FEATURE is one of\n"
             "  x86-64 CPU features: ${x86}\n"
             "  arm-64 CPU features: ${arm}\n"
             "  features of any target: ${any}\n")
    if (kind STREQUAL "CUDA")
        list(APPEND text "  CUDA (`cuda` is required): ${cuda}\n")
    elseif (kind STREQUAL "OPENCL")
        list(APPEND text "  OpenCL (`opencl` is required): ${opencl}\n")
    else ()
        list(APPEND text "  (GPU features belong in CODA_CUDA_TARGET and CODA_OPENCL_TARGET)\n")
    endif ()
    list(APPEND text "Examples: x86-64-linux-avx-avx2-f16c-fma-sse41, x86-64-linux-sse41, "
                     "arm-64-linux-arm_dot_prod, "
                     "x86-64-linux-avx-avx2-f16c-fma-sse41-cuda-cuda_capability_61, "
                     "x86-64-linux-sse41-opencl")
    string(CONCAT text ${text})
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(coda_check_halide_targets name kind)
    if (NOT kind MATCHES "^(CPU|CUDA|OPENCL)$")
        message(FATAL_ERROR "coda_check_halide_targets: kind '${kind}' is not CPU, CUDA or OPENCL")
    endif ()
    _coda_machine_triple(triple)
    _coda_supported_targets(${kind} "${triple}" supported)
    set(targets ${ARGN})
    if (NOT targets)
        message(FATAL_ERROR "${name} is empty: it needs at least one Halide target.\n${supported}")
    endif ()
    foreach (target IN LISTS targets)
        set(bad "")
        set(first "")
        string(REPLACE "-" ";" parts "${target}")
        if (parts)
            list(GET parts 0 first)
        endif ()
        if (NOT triple)
            set(bad "the generators have no schedules for this machine's processor")
        elseif (target STREQUAL "")
            set(bad "the list has an empty entry")
        elseif (first STREQUAL "host")
            set(arch host)
            list(REMOVE_AT parts 0)
        else ()
            list(LENGTH parts n)
            if (n LESS 3)
                set(bad "it is neither ARCH-BITS-OS[-FEATURE...] nor host[-FEATURE...]")
            else ()
                list(GET parts 0 arch)
                list(GET parts 1 bits)
                list(GET parts 2 os)
                list(REMOVE_AT parts 0 1 2)
                if (triple AND NOT "${arch}-${bits}-${os}" STREQUAL "${triple}")
                    string(CONCAT bad "the triple ${arch}-${bits}-${os} is not this machine's "
                                      "(${triple}): for another machine, cross-build with its "
                                      "toolchain file, as cmake/aarch64-linux-gnu.cmake does "
                                      "for aarch64")
                endif ()
            endif ()
        endif ()
        set(gpu "")
        foreach (feature IN LISTS parts)
            if (bad)
                break()
            endif ()
            if (feature IN_LIST CODA_HALIDE_FEATURES_ANY
                OR (arch MATCHES "^(x86|host)$" AND feature IN_LIST CODA_HALIDE_FEATURES_X86)
                OR (arch MATCHES "^(arm|host)$" AND feature IN_LIST CODA_HALIDE_FEATURES_ARM))
                continue()
            endif ()
            if (feature IN_LIST CODA_HALIDE_FEATURES_CUDA)
                if (kind STREQUAL "CUDA")
                    list(APPEND gpu ${feature})
                    continue()
                endif ()
                set(bad "the GPU feature '${feature}' belongs in CODA_CUDA_TARGET")
            elseif (feature IN_LIST CODA_HALIDE_FEATURES_OPENCL)
                if (kind STREQUAL "OPENCL")
                    list(APPEND gpu ${feature})
                    continue()
                endif ()
                set(bad "the GPU feature '${feature}' belongs in CODA_OPENCL_TARGET")
            elseif (feature IN_LIST CODA_HALIDE_FEATURES_X86 OR feature IN_LIST CODA_HALIDE_FEATURES_ARM)
                set(bad "the feature '${feature}' is not one of ${arch}'s")
            elseif (feature STREQUAL "")
                set(bad "it has an empty feature (two '-' in a row, or a '-' at the end)")
            else ()
                set(bad "'${feature}' is not a supported feature")
            endif ()
        endforeach ()
        if (NOT bad AND kind STREQUAL "CUDA" AND NOT "cuda" IN_LIST gpu)
            set(bad "a CUDA target needs the feature 'cuda'")
        elseif (NOT bad AND kind STREQUAL "OPENCL" AND NOT "opencl" IN_LIST gpu)
            set(bad "an OpenCL target needs the feature 'opencl'")
        endif ()
        if (bad)
            message(FATAL_ERROR "${name}: unsupported Halide target '${target}': ${bad}.\n"
                                "${supported}")
        endif ()
    endforeach ()
endfunction()
