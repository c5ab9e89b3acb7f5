#!/bin/sh
# gen_vmlinux_h.sh BPFTOOL OUT: vmlinux.h from the running kernel's BTF.
set -e
mkdir -p "$(dirname "$2")"
"$1" btf dump file /sys/kernel/btf/vmlinux format c > "$2.tmp"
mv "$2.tmp" "$2"
