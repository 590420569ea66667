# Checks cmake/CodaTargets.cmake (the configure-time check of Halide target
# strings): accepted targets pass, every kind of bad one fails with a message
# naming the variable, the target and the reason, and listing the supported
# forms. Last, configuring the whole project with a bad CODA_X86_TARGETS (or
# an unknown CODA_X86_TUNING) must fail the same way before anything is built. ctest runs it as
#   cmake -DSOURCE_DIR=<source> -DWORK_DIR=<dir> -P tests/coda_targets_test.cmake
# Each case runs in its own `cmake -P` (FATAL_ERROR ends a script).
cmake_minimum_required(VERSION 3.22)

if (DEFINED CASE_KIND)
    # One case: targets are comma-separated (a ';' would split the argument).
    include(${CMAKE_CURRENT_LIST_DIR}/../cmake/CodaTargets.cmake)
    string(REPLACE "," ";" targets "${CASE_TARGETS}")
    coda_check_halide_targets(${CASE_NAME} ${CASE_KIND} ${targets})
    return()
endif ()

set(failures 0)
# expect: "ok", or text the error message must contain.
function(check processor kind name targets expect)
    execute_process(COMMAND ${CMAKE_COMMAND} -DCMAKE_SYSTEM_PROCESSOR=${processor}
                            -DCASE_KIND=${kind} -DCASE_NAME=${name} "-DCASE_TARGETS=${targets}"
                            -P ${CMAKE_CURRENT_LIST_FILE}
                    RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
    # CMake wraps long messages: compare with single spaces.
    string(REGEX REPLACE "[ \n]+" " " flat "${err}")
    set(what "${processor} ${kind} ${name}='${targets}'")
    if (expect STREQUAL "ok")
        if (NOT rc EQUAL 0)
            message(SEND_ERROR "${what}: expected accepted, got:\n${err}")
        endif ()
        return()
    endif ()
    if (rc EQUAL 0)
        message(SEND_ERROR "${what}: expected an error containing '${expect}', it was accepted")
        return()
    endif ()
    foreach (part IN ITEMS "${expect}" "Supported targets:" "Examples:")
        string(FIND "${flat}" "${part}" at)
        if (at EQUAL -1)
            message(SEND_ERROR "${what}: the error lacks '${part}':\n${err}")
        endif ()
    endforeach ()
endfunction()

set(x86_default "x86-64-linux-avx-avx2-avx512-avx512_skylake-avx512_cannonlake-f16c-fma-sse41,x86-64-linux-avx-avx2-f16c-fma-sse41,x86-64-linux-sse41")
# Accepted: the defaults, host (native ARM boards use it), sanitizer and debug features.
check(x86_64 CPU CODA_X86_TARGETS "${x86_default}" ok)
check(x86_64 CPU CODA_X86_TARGETS "host" ok)
check(x86_64 CPU CODA_X86_TARGETS "x86-64-linux-sse41-asan-no_asserts" ok)
check(aarch64 CPU CODA_X86_TARGETS "host" ok)
check(aarch64 CPU CODA_X86_TARGETS "arm-64-linux-arm_dot_prod-arm_fp16,arm-64-linux" ok)
check(x86_64 CUDA CODA_CUDA_TARGET "x86-64-linux-avx-avx2-f16c-fma-sse41-cuda-cuda_capability_61" ok)
check(x86_64 OPENCL CODA_OPENCL_TARGET "x86-64-linux-avx-avx2-f16c-fma-sse41-opencl" ok)
check(x86_64 OPENCL CODA_OPENCL_TARGET "host-opencl-cl_half" ok)

# Rejected, each with its reason.
check(x86_64 CPU CODA_X86_TARGETS "x86-64-linux-avx3"
      "CODA_X86_TARGETS: unsupported Halide target 'x86-64-linux-avx3': 'avx3' is not a supported feature")
check(x86_64 CPU CODA_X86_TARGETS "x86-64-linux-sse41,x86-64-linux-avx2-fmaa"
      "'x86-64-linux-avx2-fmaa': 'fmaa' is not a supported feature")
check(x86_64 CPU CODA_X86_TARGETS "arm-64-linux"
      "the triple arm-64-linux is not this machine's (x86-64-linux)")
check(x86_64 CPU CODA_X86_TARGETS "x86-32-linux-sse41" "the triple x86-32-linux is not this machine's")
check(x86_64 CPU CODA_X86_TARGETS "x86-64-windows-sse41" "the triple x86-64-windows is not this machine's")
check(aarch64 CPU CODA_X86_TARGETS "arm-64-linux-avx2" "the feature 'avx2' is not one of arm's")
check(x86_64 CPU CODA_X86_TARGETS "x86-64-linux-sve" "the feature 'sve' is not one of x86's")
check(x86_64 CPU CODA_X86_TARGETS "x86-64-linux-sse41-cuda" "the GPU feature 'cuda' belongs in CODA_CUDA_TARGET")
check(x86_64 CPU CODA_X86_TARGETS "x86-64-linux-opencl" "the GPU feature 'opencl' belongs in CODA_OPENCL_TARGET")
check(x86_64 CPU CODA_X86_TARGETS "x86-64-linux-user_context" "'user_context' is not a supported feature")
check(x86_64 CPU CODA_X86_TARGETS "x86-64-linux--sse41" "it has an empty feature")
check(x86_64 CPU CODA_X86_TARGETS "x86-64" "it is neither ARCH-BITS-OS[-FEATURE...] nor host[-FEATURE...]")
check(x86_64 CPU CODA_X86_TARGETS "" "CODA_X86_TARGETS is empty")
check(x86_64 CUDA CODA_CUDA_TARGET "x86-64-linux-avx2" "a CUDA target needs the feature 'cuda'")
check(x86_64 CUDA CODA_CUDA_TARGET "x86-64-linux-opencl" "the GPU feature 'opencl' belongs in CODA_OPENCL_TARGET")
check(x86_64 OPENCL CODA_OPENCL_TARGET "x86-64-linux-cuda" "the GPU feature 'cuda' belongs in CODA_CUDA_TARGET")
check(x86_64 OPENCL CODA_OPENCL_TARGET "x86-64-linux-sse41" "an OpenCL target needs the feature 'opencl'")
check(riscv64 CPU CODA_X86_TARGETS "host" "the generators have no schedules for this machine's processor")

# The whole project: configure fails at the check, before any generator or
# library is built (the build tree then holds no Makefile).
if (NOT SOURCE_DIR OR NOT WORK_DIR)
    message(FATAL_ERROR "coda_targets_test.cmake: pass -DSOURCE_DIR=<source> -DWORK_DIR=<scratch dir>")
endif ()
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}
                        "-DCODA_X86_TARGETS=host;host-avx3"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
string(REGEX REPLACE "[ \n]+" " " flat "${err}")
string(FIND "${flat}" "CODA_X86_TARGETS: unsupported Halide target 'host-avx3'" at)
string(FIND "${flat}" "Supported targets: " at_list)
if (rc EQUAL 0 OR at EQUAL -1 OR at_list EQUAL -1)
    message(SEND_ERROR "configuring the project with CODA_X86_TARGETS=host;host-avx3: "
                       "expected a failure naming the target and listing the supported ones, "
                       "got exit ${rc}:\n${err}")
endif ()
if (EXISTS "${WORK_DIR}/Makefile" OR EXISTS "${WORK_DIR}/build.ninja")
    message(SEND_ERROR "configuring with a bad target generated a build system")
endif ()

# The x86 tuning set (cmake/CodaX86Tuning.cmake): an unknown one stops the
# configure the same way.
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR} -DCODA_X86_TUNING=skylake
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
string(REGEX REPLACE "[ \n]+" " " flat "${err}")
string(FIND "${flat}" "CODA_X86_TUNING=skylake: expected auto, zen4 or intel" at)
if (rc EQUAL 0 OR at EQUAL -1)
    message(SEND_ERROR "configuring the project with CODA_X86_TUNING=skylake: expected a failure "
                       "naming the choices, got exit ${rc}:\n${err}")
endif ()
if (EXISTS "${WORK_DIR}/Makefile" OR EXISTS "${WORK_DIR}/build.ninja")
    message(SEND_ERROR "configuring with a bad x86 tuning generated a build system")
endif ()
file(REMOVE_RECURSE "${WORK_DIR}")
