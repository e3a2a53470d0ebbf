#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/apt-packages.txt that are missing, the
# "#optional NAME" ones included (with apt-get when run as root; otherwise prints the command to
# run), and checks that the CUDA toolkit is present. Safe to run again: it does nothing when
# everything is installed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

missing=()
while read -r package optional_name _; do
  case "$package" in
    '#optional') package=$optional_name ;;
    '' | '#'*) continue ;;
  esac
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done < "$here/apt-packages.txt"

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v nvcc > /dev/null && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  echo "bootstrap: the CUDA toolkit (nvcc) is missing; install CUDA 12 or later from NVIDIA" >&2
  echo "bootstrap: (it is needed to build even where no GPU is present)" >&2
  exit 1
fi
