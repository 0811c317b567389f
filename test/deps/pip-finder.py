"""pip's own PackageFinder (the code `pip download` / `pip install` run to pick a file), asked in one process.

stdin: {"index": URL, "targets": [{"key", "python": "3.11", "platforms": [...]}],
        "queries": [{"name", "specifier"}], "modes": ["default", "only-binary", "no-binary"]}
stdout: {"<key>|<mode>|<i>": filename or null}
"""
import json
import sys

from pip._internal.index.collector import LinkCollector
from pip._internal.index.package_finder import PackageFinder
from pip._internal.models.format_control import FormatControl
from pip._internal.models.search_scope import SearchScope
from pip._internal.models.selection_prefs import SelectionPreferences
from pip._internal.models.target_python import TargetPython
from pip._internal.network.session import PipSession
from pip._vendor.packaging.specifiers import SpecifierSet

req = json.load(sys.stdin)
session = PipSession(retries=0)
collector = LinkCollector(
    session=session,
    search_scope=SearchScope.create(find_links=[], index_urls=[req["index"]], no_index=False),
)
FORMATS = {
    "default": lambda: FormatControl(set(), set()),
    "only-binary": lambda: FormatControl(set(), {":all:"}),
    "no-binary": lambda: FormatControl({":all:"}, set()),
}
out = {}
for t in req["targets"]:
    major, minor = (int(x) for x in t["python"].split("."))
    target = TargetPython(
        platforms=t["platforms"], py_version_info=(major, minor), abis=["cp%d%d" % (major, minor)], implementation="cp"
    )
    for mode in req["modes"]:
        prefs = SelectionPreferences(allow_yanked=True, format_control=FORMATS[mode]())
        finder = PackageFinder.create(link_collector=collector, selection_prefs=prefs, target_python=target)
        for i, q in enumerate(req["queries"]):
            best = finder.find_best_candidate(q["name"], SpecifierSet(q["specifier"] or "")).best_candidate
            out["%s|%s|%d" % (t["key"], mode, i)] = best.link.filename if best else None
json.dump(out, sys.stdout)
