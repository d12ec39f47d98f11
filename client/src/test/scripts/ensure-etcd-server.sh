#!/usr/bin/env bash
# Run by the build before the client's etcd tests, which start a real etcd (Debian package
# etcd-server, /usr/bin/etcd) and call it with the client. Installs it when it is missing and this
# user may (root with apt-get); otherwise says what to install and lets the tests fail.
set -u
if command -v etcd >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "etcd not found: installing the Debian package etcd-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq etcd-server >/dev/null && exit 0
  echo "installing etcd-server failed" >&2
  exit 1
fi
echo "etcd not found: install the Debian package etcd-server (apt-get install etcd-server) to run the etcd tests" >&2
exit 1
