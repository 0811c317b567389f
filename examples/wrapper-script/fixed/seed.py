import pathlib
import sys

pathlib.Path(sys.argv[1], "hello.txt").write_text("hello\n")
