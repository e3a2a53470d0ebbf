#!/usr/bin/env python3
"""Every long option that `linsgd COMMAND --help` lists appears in README.md, so a new option
cannot land undocumented.

Usage: check_readme_options.py LINSGD_BINARY README.md
"""
import re
import subprocess
import sys

COMMANDS = ["train", "evaluate", "predict", "plot"]


def long_options(binary, command):
    help_text = subprocess.run([binary, command, "--help"], capture_output=True, text=True,
                               check=True).stdout
    # CLI11 lists an option as "  -x,--name TYPE  description" at the start of a line.
    return set(re.findall(r"^\s+(?:-\w,)?(--[a-z0-9][a-z0-9-]*)", help_text, re.MULTILINE))


def main():
    binary, readme_path = sys.argv[1], sys.argv[2]
    readme = open(readme_path, encoding="utf-8").read()
    documented = set(re.findall(r"--[a-z0-9][a-z0-9-]*", readme))
    missing = []
    for command in COMMANDS:
        options = long_options(binary, command) - {"--help"}
        if not options:
            sys.exit(f"no options found in `{command} --help`: has its format changed?")
        missing += [f"{command} {option}" for option in sorted(options - documented)]
    if missing:
        sys.exit("README.md does not document: " + ", ".join(missing))
    print(f"README.md documents every option of {', '.join(COMMANDS)}")


if __name__ == "__main__":
    main()
