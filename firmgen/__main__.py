"""python -m firmgen --size tiny|small|large --seed N --out PATH"""
from __future__ import annotations

import argparse
import sys

from firmgen.profiles import PROFILES
from firmgen.writer import write_firm, write_stream


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="firmgen", description="Generate a deterministic Clio firm file.")
    parser.add_argument("--size", choices=sorted(PROFILES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="-", help="output path, '-' for stdout")
    args = parser.parse_args(argv)
    if args.out == "-":
        written = write_stream(sys.stdout, args.seed, args.size)
    else:
        written = write_firm(args.out, args.seed, args.size)
    print(f"{written} records ({args.size}, seed {args.seed}) -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
