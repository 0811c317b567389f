"""pip's own tag order for a CPython X.Y on glibc or musl (pip's vendored packaging, its libc probes patched).

Usage: python3 pip-tags.py 3.11 glibc 2.36 aarch64 [platforms]  -> one tag (or with `platforms`, one platform
tag) per line, most preferred first.
"""
import sys

from pip._vendor.packaging import _manylinux, _musllinux, tags

py, kind, libc, arch = sys.argv[1:5]
major, minor = (int(x) for x in py.split("."))
lmaj, lmin = (int(x) for x in libc.split("."))
if kind == "glibc":
    _manylinux._get_glibc_version = lambda: (lmaj, lmin)
    _manylinux._have_compatible_abi = lambda *a, **k: True
    platforms = list(_manylinux.platform_tags("linux_" + arch, arch))
else:
    _musllinux._get_musl_version = lambda *_: _musllinux._MuslVersion(lmaj, lmin)
    platforms = list(_musllinux.platform_tags(arch))
platforms.append("linux_" + arch)
if sys.argv[5:] == ["platforms"]:
    print("\n".join(platforms))
    sys.exit(0)
interp = "cp%d%d" % (major, minor)
out = list(tags.cpython_tags((major, minor), [interp], platforms))
out += list(tags.compatible_tags((major, minor), interp, platforms))
print("\n".join(str(t) for t in out))
