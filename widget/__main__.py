"""Command line (CPython): ``python -m widget replay FILE.sse [--chunk N]``.

Feeds a recorded ChatKit SSE body through the widget's decoder, protocol parser and thread
reducer, in chunks of N bytes, and prints the final thread as JSON.
"""

import argparse
import json
import sys

from widget.tools.replay import replay, summarize


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m widget")
    commands = parser.add_subparsers(dest="command", required=True)
    rep = commands.add_parser("replay", help="replay a recorded SSE body and print the thread")
    rep.add_argument("file", help="a file holding a /chatkit SSE response body")
    rep.add_argument("--chunk", type=int, default=None, metavar="N", help="feed N bytes at a time")
    args = parser.parse_args(argv)
    try:
        with open(args.file, "rb") as f:
            data = f.read()
    except OSError as exc:
        print("cannot read %s: %s" % (args.file, exc.strerror), file=sys.stderr)
        return 2
    summary = summarize(replay(data, args.chunk))
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 1 if summary["error"] and summary["error"]["kind"] == "protocol" else 0


if __name__ == "__main__":
    sys.exit(main())
