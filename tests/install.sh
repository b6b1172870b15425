#!/usr/bin/env bash
# tests/install.sh - `make install` as a C library installs: under
# $DESTDIR$PREFIX the command, the static library, vm.h, vmsim.pc and the
# man page; a small program builds against the installed tree alone with
# the flags pkg-config reads from vmsim.pc (parsed here if pkg-config is
# missing) and runs; `make uninstall` removes every file.  $VARIANT is the
# build to install (release: a sanitizer build would need its runtime).
set -u
cd "$(dirname "$0")/.."
VARIANT=${VARIANT:-release}
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest prefix=/opt/vmsim-test root=$tmp/dest/opt/vmsim-test

if make -s VARIANT="$VARIANT" install DESTDIR="$dest" PREFIX="$prefix" >"$tmp/log" 2>&1; then ok
else bad "make install: $(cat "$tmp/log")"; fi
for f in bin/vmsim:755 lib/libvmsim.a:644 include/vm.h:644 lib/pkgconfig/vmsim.pc:644 \
    share/man/man1/vmsim.1:644; do
	m=$(stat -c %a "$root/${f%:*}" 2>/dev/null)
	if [ "$m" = "${f#*:}" ]; then ok; else bad "$prefix/${f%:*}: mode '$m', want ${f#*:}"; fi
done
n=$(find "$dest" -type f | wc -l)
if [ "$n" -eq 5 ]; then ok; else bad "$n files installed, want 5: $(find "$dest" -type f)"; fi
if grep -qx "prefix=$prefix" "$root/lib/pkgconfig/vmsim.pc"; then ok; else bad "vmsim.pc: prefix is not $prefix"; fi

# The flags, as a user's build would get them, pointed at DESTDIR.
pc=$root/lib/pkgconfig/vmsim.pc
if command -v pkg-config >/dev/null 2>&1; then
	flags=$(PKG_CONFIG_PATH=$root/lib/pkgconfig pkg-config --define-variable=prefix="$root" \
		--cflags --libs vmsim) || bad "pkg-config --cflags --libs vmsim"
else
	flags=$(python3 - "$pc" "$root" <<'PY'
import re, sys
v, out = {"prefix": sys.argv[2]}, {}
for line in open(sys.argv[1]):
    line = line.strip()
    m = re.match(r"(\w+)=(.*)", line) or re.match(r"(\w+(?:\.\w+)?):\s*(.*)", line)
    if not m: continue
    val = re.sub(r"\$\{(\w+)\}", lambda x: v[x.group(1)], m.group(2))
    if "=" in line.split(":")[0] and m.group(1) != "prefix": v[m.group(1)] = val
    elif ":" in line: out[m.group(1)] = val
print(out["Cflags"], out["Libs"])
PY
)
fi
case $flags in *"-I$root/include"*"-L$root/lib"*"-lvmsim"*) ok ;; *) bad "flags: $flags" ;; esac

cat >"$tmp/user.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vm.h>

int main(void)
{
	struct vm_config cfg = VM_CONFIG_DEFAULT;
	struct vm *vm;
	char err[256], *p;
	size_t n;

	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	p = vm_base(vm);
	n = (size_t)vm_npages(vm) * 4096;
	for (size_t i = 0; i < n; i += 4096)
		p[i] = (char)(i >> 12);
	for (size_t i = 0; i < n; i += 4096)
		if (p[i] != (char)(i >> 12))
			return 1;
	vm_destroy(vm);
	printf("user: %zu pages written and read back\n", n / 4096);
	return 0;
}
C
# Only the installed tree: no -I or -L into the sources.
if (cd "$tmp" && cc -std=c11 -Wall -o user user.c $flags) 2>"$tmp/cc.log"; then ok
else bad "a program against the installed vmsim does not build: $(cat "$tmp/cc.log")"; fi
if out=$("$tmp/user" 2>&1) && grep -q "16384 pages written and read back" <<<"$out"; then ok
else bad "the program: $out"; fi
if "$root/bin/vmsim" --help | grep -q -- "--physical SIZE"; then ok; else bad "installed vmsim --help"; fi
if command -v man >/dev/null 2>&1; then
	if MANWIDTH=80 man -l "$root/share/man/man1/vmsim.1" 2>/dev/null | grep -q "trim-policy"; then ok
	else bad "man -l vmsim.1"; fi
fi

make -s VARIANT="$VARIANT" uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null 2>&1
n=$(find "$dest" -type f | wc -l)
if [ "$n" -eq 0 ]; then ok; else bad "make uninstall left $n files"; fi

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
