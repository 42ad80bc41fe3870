#!/usr/bin/python3
"""Checks the reports of `caplnet run`: the JSON report has every field docs/scenario.md lists
with the right types, and the JUnit XML has the elements and attributes the common JUnit schema
(Jenkins/Ant junit-10.xsd) requires, with counts that agree. Prints "ok" or the problems."""
import json
import sys
import xml.etree.ElementTree as ET

problems = []


def need(cond, what):
    if not cond:
        problems.append(what)


def check_json(path):
    with open(path) as f:
        r = json.load(f)
    for key, kind in [("scenario", str), ("file", str), ("started", str), ("elapsed_s", (int, float)),
                      ("result", str), ("errors", list), ("nodes", list), ("switches", list),
                      ("replays", list), ("capture", dict), ("expectations", list)]:
        need(isinstance(r.get(key), kind), f"json: '{key}' missing or not {kind}")
    need(r.get("result") in ("passed", "failed"), "json: result is neither passed nor failed")
    for n in r.get("nodes", []):
        for key, kind in [("name", str), ("died", bool), ("status", str), ("adapters", list),
                          ("sockets", list), ("groups", list)]:
            need(isinstance(n.get(key), kind), f"json: node '{key}' missing or not {kind}")
        for s in n.get("sockets", []):
            for key in ("socket", "received", "sent", "queue_drops"):
                need(isinstance(s.get(key), int), f"json: socket '{key}' missing")
        for g in n.get("groups", []):
            for key in ("if_index", "joins", "leaves", "received", "received_after_leave"):
                need(isinstance(g.get(key), int), f"json: group '{key}' missing")
            need(isinstance(g.get("group"), str), "json: group address missing")
        for a in n.get("adapters", []):
            need(isinstance(a.get("rx_drops"), dict), "json: adapter rx_drops missing")
    for e in r.get("expectations", []):
        for key, kind in [("name", str), ("node", str), ("metric", str), ("op", str), ("expected", int),
                          ("passed", bool), ("message", str)]:
            need(isinstance(e.get(key), kind), f"json: expectation '{key}' missing or not {kind}")
    return r


def check_junit(path):
    root = ET.parse(path).getroot()
    need(root.tag in ("testsuites", "testsuite"), f"junit: root element is <{root.tag}>")
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    need(len(suites) > 0, "junit: no <testsuite>")
    total = 0
    for s in suites:
        for attr in ("name", "tests", "failures", "errors"):
            need(attr in s.attrib, f"junit: <testsuite> without '{attr}'")
        cases = s.findall("testcase")
        need(int(s.get("tests", -1)) == len(cases), "junit: tests= does not count the test cases")
        failures = sum(1 for c in cases if c.find("failure") is not None)
        errors = sum(1 for c in cases if c.find("error") is not None)
        need(int(s.get("failures", -1)) == failures, "junit: failures= does not count <failure>s")
        need(int(s.get("errors", -1)) == errors, "junit: errors= does not count <error>s")
        for c in cases:
            need(c.get("name"), "junit: <testcase> without name")
            need(c.get("classname"), "junit: <testcase> without classname")
            for bad in c.findall("failure") + c.findall("error"):
                need(bad.get("message") is not None, "junit: <failure>/<error> without message")
        total += len(cases)
        if "time" in s.attrib:
            float(s.get("time"))
    if root.tag == "testsuites" and "tests" in root.attrib:
        need(int(root.get("tests")) == total, "junit: <testsuites tests=> does not count the test cases")


check_json(sys.argv[1])
check_junit(sys.argv[2])
print("ok" if not problems else "\n".join(problems))
sys.exit(1 if problems else 0)
