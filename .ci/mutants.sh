#!/usr/bin/env bash
# Mutation testing of the guard files: the code that keeps data, paths and request budgets
# safe. cargo-mutants (https://mutants.rs) changes one thing at a time in a file (an operator,
# a condition, a returned value) and runs the library's unit tests and the `it` binary against
# it; a "missed" mutant is a behaviour no test checks.
#
#   .ci/mutants.sh                      every guard file, smallest first
#   .ci/mutants.sh src/rate_limit.rs    these files only
#   git diff main | .ci/mutants.sh --in-diff -
#                                           only mutants on the lines a change touches
#                                           (of the guard files, or of the files named)
#   .ci/mutants.sh src/secret.rs -- --re 'PartialEq'
#                                           after `--`: more arguments for cargo mutants
#
# Options (before the files):
#   --in-diff FILE  a unified diff (`-`: read it from standard input)
#   --copy          mutate a scratch copy of the tree instead of this checkout: the tree may
#                   be dirty, but the copy builds from cold (slow)
#   --no-baseline   skip the run of the unmutated tests (when they just passed here)
#   --list          list the mutants, run nothing
#
# By default the mutants are made in this checkout (`--in-place`: cargo-mutants edits a source
# file, builds, tests, and puts it back), which keeps each mutant an incremental build. That is
# refused on a dirty tree: commit or stash first. If a run is killed, `git status` shows the
# file it was mutating; `git checkout -- <file>` puts it back.
#
# Each file's results go to target/mutants/<file>/mutants.out (missed.txt, caught.txt,
# unviable.txt, timeout.txt, and a log per mutant); the script prints one line per file and
# fails when any mutant was missed. A mutant whose tests hang (a walk that never ends) is
# detected too: it is counted under timeouts and listed, and does not fail the run.
# Mutants that cannot change what the code computes are listed, each with its reason, in
# .cargo/mutants.toml, which cargo-mutants reads.
# Environment: MUTANTS_TIMEOUT (seconds a test run may take, default three times the baseline
# run plus a minute), MUTANTS_JOBS (parallel builds, default 1).
set -euo pipefail

GUARD_FILES=(
    src/transport/paths.rs
    src/transport/api_root.rs
    src/transport/retry.rs
    src/rate_limit.rs
    src/secret.rs
    src/oks/nacl.rs
    src/paginate/mod.rs
    src/paginate/walker.rs
    src/paginate/concurrent.rs
    src/kubeconfig/splice.rs
    src/kubeconfig/file.rs
    src/kubeconfig/lock.rs
    src/kubeconfig/paths_on_disk.rs
)

cd "$(git rev-parse --show-toplevel)"

diff_file="" in_place=true baseline=true list=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --in-diff)
            [[ $# -ge 2 ]] || { echo "--in-diff needs a diff file, or - for standard input" >&2; exit 2; }
            diff_file="$2"
            shift 2
            ;;
        --copy) in_place=false; shift ;;
        --no-baseline) baseline=false; shift ;;
        --list) list=true; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
        *) break ;;
    esac
done
files=() extra=()
while [[ $# -gt 0 && "$1" != -- ]]; do
    files+=("$1")
    shift
done
[[ $# -gt 0 ]] && shift && extra=("$@")
[[ ${#files[@]} -gt 0 ]] || files=("${GUARD_FILES[@]}")
for file in "${files[@]}"; do
    [[ -f "$file" ]] || { echo "no such file: $file" >&2; exit 2; }
done

mkdir -p target/mutants
if [[ "$diff_file" == - ]]; then
    diff_file=target/mutants/change.diff
    cat >"$diff_file"
fi

# Every mutant builds the library and the `it` test binary only, with every feature: the
# examples, benches and the command are not rebuilt for each mutant.
common=(--all-features --cargo-arg=--lib --cargo-arg=--test=it --build-timeout 600)
[[ -n "$diff_file" ]] && common+=(--in-diff "$diff_file")

if $list; then
    for file in "${files[@]}"; do
        cargo mutants "${common[@]}" --file "$file" --list ${extra[@]+"${extra[@]}"}
    done
    exit 0
fi

if $in_place; then
    if [[ -n "$(git status --porcelain)" ]]; then
        echo "the tree has uncommitted changes: --in-place edits the sources, so commit or stash" >&2
        echo "them first (or use --copy, which builds a copy of the tree from cold)" >&2
        exit 1
    fi
    common+=(--in-place)
fi

# One run of the unmutated tests for the whole script; each file's run then skips its own
# baseline. The longest a mutant's tests may run is set from it.
timeout="${MUTANTS_TIMEOUT:-}"
if $baseline; then
    start=$SECONDS
    cargo test --all-features --lib --test it --quiet >target/mutants/baseline.log 2>&1 || {
        echo "the unmutated tests fail (target/mutants/baseline.log): fix them first" >&2
        exit 1
    }
    took=$((SECONDS - start))
    echo "baseline: tests pass (${took}s)"
    timeout="${timeout:-$((took * 3 + 60))}"
fi
common+=(--baseline skip --timeout "${timeout:-300}")
[[ -n "${MUTANTS_JOBS:-}" ]] && common+=(--jobs "$MUTANTS_JOBS")

# Smallest file first: the short runs report soonest.
mapfile -t files < <(wc -l "${files[@]}" | grep -v ' total$' | sort -n | awk '{print $2}')

count() { if [[ -f "$1" ]]; then grep -c . "$1" || true; else echo 0; fi; }
failed=0
printf '%-28s %5s %6s %6s %8s %8s %7s\n' file tried caught missed unviable timeouts wall
for file in "${files[@]}"; do
    out="target/mutants/$(echo "${file#src/}" | tr / -)"
    rm -rf "$out"
    start=$SECONDS
    status=0
    cargo mutants "${common[@]}" --file "$file" --output "$out" ${extra[@]+"${extra[@]}"} \
        >"$out.log" 2>&1 || status=$?
    wall=$((SECONDS - start))
    # 0: all caught; 2: some missed; 3: some timed out; 4: the baseline failed.
    case $status in 0 | 2 | 3) ;; *)
        echo "$file: cargo mutants failed ($status), see $out.log" >&2
        failed=1
        continue
        ;;
    esac
    dir="$out/mutants.out"
    caught=$(count "$dir/caught.txt") missed=$(count "$dir/missed.txt")
    unviable=$(count "$dir/unviable.txt") timeouts=$(count "$dir/timeout.txt")
    printf '%-28s %5s %6s %6s %8s %8s %6ss\n' "$file" \
        $((caught + missed + unviable + timeouts)) "$caught" "$missed" "$unviable" "$timeouts" "$wall"
    [[ $timeouts -eq 0 ]] || sed 's/^/    hangs: /' "$dir/timeout.txt"
    [[ $missed -eq 0 ]] || {
        sed 's/^/    missed: /' "$dir/missed.txt"
        failed=1
    }
done
if $in_place && [[ -n "$(git status --porcelain)" ]]; then
    echo "the tree is not clean after the run: check \`git status\`" >&2
    failed=1
fi
exit $failed
