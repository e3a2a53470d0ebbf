#!/usr/bin/env python3
"""Checks that the source tree's dependencies point one way.

Every quoted #include of src/, kernels/ and include/linsgd/ names its layer ("core/...",
"cuda/...", "linsgd/..."), and a file may include only from its own layer and the layers
ALLOWED lists below it:

    cli -> training -> {cpu, cuda} -> core <- kernels;   cli -> {report, model, io, comm};
    report -> model -> io;   model -> core;   everything -> linsgd (the public API)

No file anywhere (tests and benchmarks too) includes through "../". Prints each violation as
FILE:LINE: message and exits 1 when there is one.

    tests/check_layers.py [ROOT]     (default: the repository this file is in)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
ROOT = ROOT.resolve()

ALLOWED = {
    "linsgd": {"linsgd"},
    "core": {"core", "linsgd"},
    "kernels": {"kernels", "core", "linsgd"},
    "cpu": {"cpu", "core", "linsgd"},
    "cuda": {"cuda", "kernels", "core", "linsgd"},
    "training": {"training", "cpu", "cuda", "core", "linsgd"},
    "io": {"io", "linsgd"},
    "model": {"model", "io", "core", "linsgd"},
    "report": {"report", "model", "io", "linsgd"},
    "comm": {"comm", "linsgd"},
    "cli": {"cli", "report", "model", "io", "comm", "linsgd"},
}
SOURCE = re.compile(r"\.(cpp|hpp|cu|cuh)$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    """The layer a source file belongs to, or None outside the library."""
    parts = path.relative_to(ROOT).parts
    if parts[0] == "kernels":
        return "kernels"
    if parts[:2] == ("include", "linsgd"):
        return "linsgd"
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    return None


def violations():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if not SOURCE.search(path.name) or relative.parts[0] not in (
                "src", "kernels", "include", "tests", "benchmarks", "python"):
            continue
        layer = layer_of(path)
        if relative.parts[0] == "src" and layer not in ALLOWED:
            yield f"{relative}: not in a known layer ({', '.join(sorted(ALLOWED))})"
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            included = match.group(1)
            where = f"{relative}:{number}"
            if included.startswith("../") or "/../" in included:
                yield f'{where}: includes "{included}" through ../; name its layer instead'
                continue
            if layer is None:
                continue
            target = included.split("/")[0] if "/" in included else None
            if target not in ALLOWED:
                yield f'{where}: includes "{included}", which names no layer'
            elif target not in ALLOWED[layer]:
                yield (f'{where}: layer {layer} includes "{included}" from layer {target}; '
                       f"{layer} may include from {', '.join(sorted(ALLOWED[layer]))}")


def main():
    found = list(violations())
    for message in found:
        print(message)
    print(f"check_layers: {len(found)} violation(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
