#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tools/format on a scratch repository (a copy of the script, weft's
# .clang-format, one formatted and one unformatted file): --check lists the
# bad file and exits 1 without changing it, --changed sees only what changed
# since the base, a plain run rewrites, and --check passes after it.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cd "$tmp"
git init -q -b main .
git config user.email test@example.invalid
git config user.name test
mkdir tools
cp "$src/tools/format" tools/format
cp "$src/.clang-format" .clang-format
printf 'int good() { return 1; }\n' >good.cpp
printf 'int   bad( ){return 2;}\n' >bad.hpp
git add -A
git commit -q -m base

before=$(cat bad.hpp)
set +e
out=$(tools/format --check 2>&1)
rc=$?
set -e
[ $rc -eq 1 ] || fail "--check on an unformatted tree exited $rc: $out"
grep -q '^not formatted: bad.hpp$' <<<"$out" || fail "--check did not name bad.hpp: $out"
grep -q 'good.cpp' <<<"$out" && fail "--check named the formatted good.cpp: $out"
grep -q '^    +int bad() { return 2; }$' <<<"$out" || fail "--check showed no diff: $out"
[ "$(cat bad.hpp)" = "$before" ] || fail "--check changed bad.hpp"

# --changed: against HEAD nothing changed yet; an uncommitted edit and a new
# untracked file count.
tools/format --check --changed HEAD >/dev/null || fail "--changed HEAD saw files that did not change"
printf 'int  also_bad(){return 3;}\n' >new.cc
set +e
out=$(tools/format --check --changed HEAD 2>&1)
rc=$?
set -e
[ $rc -eq 1 ] || fail "--changed HEAD missed the untracked new.cc: $out"
grep -q '^not formatted: new.cc$' <<<"$out" || fail "--changed did not name new.cc: $out"
grep -q 'bad.hpp' <<<"$out" && fail "--changed HEAD named the unchanged bad.hpp: $out"
rm new.cc

tools/format >/dev/null
[ "$(cat bad.hpp)" = "int bad() { return 2; }" ] || fail "tools/format did not rewrite bad.hpp: $(cat bad.hpp)"
tools/format --check >/dev/null || fail "--check fails after tools/format"
echo "tools/format: 6 checks passed"
