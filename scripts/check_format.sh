#!/usr/bin/env bash
# Fails if any C++ file of the repository differs from clang-format's output
# (style in .clang-format; Debian 12's clang-format 14).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.h' 2>/dev/null || find . -name '*.cpp' -o -name '*.h' | grep -v '^./build')
clang-format --style=file --dry-run -Werror $files
echo "format: $(echo "$files" | wc -w) files clean"
