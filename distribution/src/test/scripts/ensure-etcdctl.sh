#!/usr/bin/env bash
# Run by the build before the distribution's process tests, which drive etcd's own client
# (etcdctl, Debian package etcd-client) against a real Cairn server. Installs it when it is missing
# and this user may (root with apt-get); otherwise says what to install and lets the tests fail.
set -u
if command -v etcdctl >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "etcdctl not found: installing the Debian package etcd-client"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq etcd-client >/dev/null && exit 0
  echo "installing etcd-client failed" >&2
  exit 1
fi
echo "etcdctl not found: install the Debian package etcd-client (apt-get install etcd-client) to run the etcdctl tests" >&2
exit 1
