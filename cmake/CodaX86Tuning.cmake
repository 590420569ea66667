# Which checked-in x86 tuning the CPU schedules use (schedules/x86/README.md).
# The best knobs differ by microarchitecture, not by Halide target (Zen 4 and
# Intel's AVX-512 server cores take the same target string): on an Intel Xeon
# the Zen 4 winners of the 16x16 forward ran 1.7x slower than the ones a search
# there found.
#
#   CODA_X86_TUNING  auto (default): by the vendor of the CPU that configures
#                    the build, where the libraries are usually run;
#                    zen4:  schedules/x86/tuning.h (searched on AMD EPYC, Zen 4);
#                    intel: schedules/x86/intel/tuning.h (searched on an Intel
#                           Xeon with AVX-512).
# Sets CODA_X86_TUNING_SET (zen4 or intel) and CODA_X86_TUNING_HEADER (the
# header's path, which scripts/bench.sh reads from the cache for its report).
include_guard(GLOBAL)

set(CODA_X86_TUNING auto
    CACHE STRING "x86 tuning of the CPU schedules: auto (by this CPU's vendor), zen4 or intel")
set_property(CACHE CODA_X86_TUNING PROPERTY STRINGS auto zen4 intel)

set(CODA_X86_TUNING_SET ${CODA_X86_TUNING})
if (CODA_X86_TUNING_SET STREQUAL "auto")
    set(CODA_X86_TUNING_SET zen4)
    if (EXISTS /proc/cpuinfo)
        file(STRINGS /proc/cpuinfo vendor REGEX "^vendor_id" LIMIT_COUNT 1)
        if (vendor MATCHES "GenuineIntel")
            set(CODA_X86_TUNING_SET intel)
        endif ()
    endif ()
endif ()
if (CODA_X86_TUNING_SET STREQUAL "zen4")
    set(CODA_X86_TUNING_HEADER ${PROJECT_SOURCE_DIR}/schedules/x86/tuning.h)
elseif (CODA_X86_TUNING_SET STREQUAL "intel")
    set(CODA_X86_TUNING_HEADER ${PROJECT_SOURCE_DIR}/schedules/x86/intel/tuning.h)
else ()
    message(FATAL_ERROR "CODA_X86_TUNING=${CODA_X86_TUNING}: expected auto, zen4 or intel")
endif ()
set(CODA_X86_TUNING_HEADER ${CODA_X86_TUNING_HEADER} CACHE INTERNAL "the x86 tuning header used")
message(STATUS "x86 tuning: ${CODA_X86_TUNING_SET} (${CODA_X86_TUNING_HEADER})")
