# shellcheck shell=bash
# Builds (once per machine) and caches what does not depend on the project:
#   $CACHE/rootfs/          debootstrapped Debian 12 dom0 root (xen-utils-4.17, kernel, ...)
#   $CACHE/boot/xen         the matching Xen 4.17 hypervisor, gunzipped (QEMU -kernel takes it)
#   $CACHE/boot/vmlinux     dom0 kernel (decompressed ELF)
#   $CACHE/boot/vmlinuz     guest kernel (same Debian kernel, bzImage)
#   $CACHE/dom0-base.cpio.gz  the pruned rootfs as an initramfs archive
# A stamp file records the inputs; a change of inputs (or a missing file) rebuilds.

# Packages in the dom0.  Plain bookworm (no -security): xen-utils 4.17.5+72 matches the
# hypervisor we fetch with apt-get download.  libspdlog1.10/libfmt9: runtime deps of libprecopy
# (the dom0 has no package lists, so the .deb of the operator's guide installs from what is here).
# openssh: `xl migrate GUEST HOST` reaches HOST (localhost here) over ssh, as the guide does.
E2E_DOM0_PACKAGES=xen-utils-4.17,linux-image-amd64,initramfs-tools,iproute2,busybox-static,procps,kmod,libspdlog1.10,libfmt9,pv,openssh-server,openssh-client
E2E_SUITE=bookworm
E2E_CACHE_VERSION=1

cache_stamp() { echo "v=$E2E_CACHE_VERSION suite=$E2E_SUITE pkgs=$E2E_DOM0_PACKAGES"; }

cache_is_valid() {
  local c=$PRECOPY_E2E_CACHE
  [ -f "$c/stamp" ] && [ "$(cat "$c/stamp")" = "$(cache_stamp)" ] &&
    [ -s "$c/boot/xen" ] && [ -s "$c/boot/vmlinux" ] && [ -s "$c/boot/vmlinuz" ] &&
    [ -s "$c/dom0-base.cpio.gz" ] && [ -x "$c/rootfs/usr/lib/xen-4.17/bin/xenstored" ]
}

build_cache() {
  local c=$PRECOPY_E2E_CACHE
  if cache_is_valid; then log "cache ok: $c"; return 0; fi
  log "building cache in $c (debootstrap ~2 min)"
  mkdir -p "$c"; rm -f "$c/stamp"
  timed debootstrap build_rootfs || die "rootfs build failed (see $c/debootstrap.log)"
  timed hypervisor build_boot || die "hypervisor/kernel extraction failed"
  timed dom0-base build_dom0_base || die "dom0 base image failed"
  cache_stamp > "$c/stamp"
}

build_rootfs() {
  local c=$PRECOPY_E2E_CACHE
  rm -rf "$c/rootfs"
  timeout 1800 debootstrap --variant=minbase --include="$E2E_DOM0_PACKAGES" \
    "$E2E_SUITE" "$c/rootfs" > "$c/debootstrap.log" 2>&1
}

build_boot() {
  local c=$PRECOPY_E2E_CACHE xenver kver deb
  mkdir -p "$c/debs" "$c/boot"
  xenver=$(chroot "$c/rootfs" dpkg-query -W -f='${Version}' xen-utils-4.17) || return 1
  deb=$(ls "$c"/debs/xen-hypervisor-4.17-amd64_*_amd64.deb 2>/dev/null | grep -F "${xenver//:/%3a}" | head -1)
  if [ -z "$deb" ]; then
    (cd "$c/debs" && timeout 600 apt-get download -qq "xen-hypervisor-4.17-amd64=$xenver") || return 1
    deb=$(ls "$c"/debs/xen-hypervisor-4.17-amd64_*_amd64.deb | head -1)
  fi
  rm -rf "$c/debs/xh" && dpkg-deb -x "$deb" "$c/debs/xh" || return 1
  # Debian ships a gzip of a 32-bit multiboot ELF; QEMU -kernel wants it uncompressed.
  zcat "$c/debs/xh/boot/xen-4.17-amd64.gz" > "$c/boot/xen" || return 1
  echo "$xenver" > "$c/boot/xen.version"
  kver=$(ls "$c/rootfs/lib/modules" | head -1)
  echo "$kver" > "$c/boot/kernel.version"
  cp "$c/rootfs/boot/vmlinuz-$kver" "$c/boot/vmlinuz"
  # Decompress the XZ bzImage payload to an ELF vmlinux for dom0 (Xen loads ELF directly).
  python3 - "$c/boot/vmlinuz" "$c/boot/vmlinux" <<'PY'
import lzma, sys
d = open(sys.argv[1], 'rb').read()
off = d.find(b'\xfd7zXZ\x00')
if off < 0:
    sys.exit("no xz payload in bzImage")
open(sys.argv[2], 'wb').write(lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(d[off:]))
PY
}

# The rootfs, pruned, as a gzip'd newc cpio.  Per-run files go into a second archive that
# is concatenated after it (the kernel unpacks concatenated initramfs archives in order).
build_dom0_base() {
  local c=$PRECOPY_E2E_CACHE kver s
  kver=$(cat "$c/boot/kernel.version")
  s="$c/stage-dom0"
  rm -rf "$s"; cp -a "$c/rootfs" "$s"
  rm -rf "$s"/var/cache/apt/* "$s"/var/lib/apt/lists/* "$s"/usr/share/{doc,man,locale,info}
  mv "$s/boot/vmlinuz-$kver" "$s/boot/vmlinuz"          # guests boot the same kernel
  rm -f "$s"/boot/initrd.img-* "$s"/boot/System.map-*
  # dom0 only needs the Xen driver modules
  find "$s/lib/modules/$kver/kernel" -name '*.ko' ! -path '*/drivers/xen/*' -delete
  chroot "$s" depmod "$kver"
  (cd "$s" && find . | cpio -o -H newc --quiet | gzip -1) > "$c/dom0-base.cpio.gz.tmp" &&
    mv "$c/dom0-base.cpio.gz.tmp" "$c/dom0-base.cpio.gz"
  rm -rf "$s"
}
