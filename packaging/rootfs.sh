#!/bin/sh
# The image's whole filesystem, for a `FROM scratch` runtime stage:
#   packaging/rootfs.sh BINARY DIR
# the binary as /quay, every shared library it loads (as ldd lists them, the loader included),
# /etc/passwd and /etc/group naming the non-root user 1001, a trust store for upstream registries
# when the build host has one, /tmp and /data.
set -eu
bin=$1
root=$2
mkdir -p "$root/etc" "$root/tmp" "$root/data"
chmod 1777 "$root/tmp"
install -m 0755 "$bin" "$root/quay"
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u |
  while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
printf 'root:x:0:0:root:/:/sbin/nologin\nquay:x:1001:1001:quay:/data:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nquay:x:1001:\n' > "$root/etc/group"
for bundle in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt; do
  if [ -f "$bundle" ]; then
    mkdir -p "$root/etc/pki/tls/certs" "$root/etc/ssl/certs"
    cp -L "$bundle" "$root/etc/pki/tls/certs/ca-bundle.crt"
    ln -sf ../../pki/tls/certs/ca-bundle.crt "$root/etc/ssl/certs/ca-certificates.crt"
    break
  fi
done
