"""Build, preview and test entry point (work in progress)."""
import sys

if __name__ == "__main__":
    sys.exit("build.py: not implemented yet")
