"""Helpers shared by the benchmark drivers (bench/<name>/run.py)."""
import json
import subprocess
import sys


def run_json(cmd):
    """Runs one contestant, whose last line on stdout is its JSON result; exits
    naming the program and quoting its error output when it fails."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr.strip()[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def ms(seconds, digits=3):
    return f"{seconds * 1e3:.{digits}f} ms"
