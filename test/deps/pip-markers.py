"""pip's vendored packaging evaluating PEP 508 markers. stdin: {"markers": [...], "envs": [{...}]};
stdout: [[true/false/"error", ...per env], ...per marker]."""
import json
import sys

from pip._vendor.packaging.markers import Marker

req = json.load(sys.stdin)
out = []
for m in req["markers"]:
    row = []
    for env in req["envs"]:
        try:
            row.append(Marker(m).evaluate(env))
        except Exception:
            row.append("error")
    out.append(row)
json.dump(out, sys.stdout)
