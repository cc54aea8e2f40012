#!/usr/bin/env python3
"""Writes a synthetic hash list for import benchmarks (docs/performance-bank.md).

Random PDQ values (and every tenth row an MD5), deterministic for a given --seed, in any of the
formats `vigil bank import` reads. Random values are the worst case for the store's unique index
(no locality), which is what a real list from a hotline looks like to it.
"""
import argparse
import random
import sys


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("rows", type=int)
    p.add_argument("--format", choices=["csv", "jsonl", "te"], default="csv")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    if args.format == "csv":
        out.write("signal_type,signal_value,source_ref,added_at\n")
    chunk = []
    for i in range(args.rows):
        if i % 10 == 9:
            kind, value = "md5", format(rng.getrandbits(128), "032x")
        else:
            kind, value = "pdq", format(rng.getrandbits(256), "064x")
        ref = f"src-{i}"
        if args.format == "csv":
            chunk.append(f"{kind},{value},{ref},2024-05-01T00:00:00Z\n")
        elif args.format == "jsonl":
            chunk.append(f'{{"signal_type":"{kind}","signal_value":"{value}",'
                         f'"source_ref":"{ref}","added_at":"2024-05-01T00:00:00Z"}}\n')
        else:
            chunk.append(f"{'video_md5' if kind == 'md5' else kind} {value}\n")
        if len(chunk) >= 65536:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))


if __name__ == "__main__":
    main()
