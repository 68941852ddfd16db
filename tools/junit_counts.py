"""Print '<prefix>N passed, N failed, N skipped' from a pytest JUnit report: python3 tools/junit_counts.py REPORT [PREFIX]."""

import sys
import xml.etree.ElementTree as ET


def main(path, prefix=""):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(s.get("tests", 0)) for s in suites)
    bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    print("%s%d passed, %d failed, %d skipped" % (prefix, total - bad - skipped, bad, skipped))


if __name__ == "__main__":
    main(*sys.argv[1:])
