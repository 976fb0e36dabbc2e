#!/usr/bin/env python3
"""An external evaluator that misbehaves on purpose, for the tests.

    misbehaving_evaluator.py BEHAVIOUR   one behaviour for every request
    misbehaving_evaluator.py mixed       the behaviour picked by the request's x[0] (reals in [0, 1])

Behaviours: ok ({"score": sum of squares}), crash (SIGSEGV), exit3 (a line on stderr, exit
code 3), garbage (not JSON), missing (no "score"), refuse ({"invalid": ...}), hang (sleeps,
with a child of its own that sleeps too), memory (allocates 2 GiB), divfail (a program:
exit3 when its text has a division, else {"score": the text's length}).
"""
import json
import os
import signal
import subprocess
import sys
import time


def behaviour_for(x0):
    for limit, name in ((0.05, "crash"), (0.10, "exit3"), (0.15, "garbage"), (0.18, "hang"), (0.21, "refuse")):
        if x0 < limit:
            return name
    return "ok"


def answer(request, behaviour):
    x = request.get("x", [0.5])
    if behaviour == "mixed":
        behaviour = behaviour_for(x[0])
    if behaviour == "divfail":
        program = request.get("program", "")
        if "div(" not in program:
            return json.dumps({"score": len(program)})
        behaviour = "exit3"
    if behaviour == "crash":
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGSEGV)
    if behaviour == "exit3":
        print("bad day: cannot score", file=sys.stderr, flush=True)
        sys.exit(3)
    if behaviour == "garbage":
        return "this is not JSON"
    if behaviour == "missing":
        return json.dumps({"other": 1})
    if behaviour == "refuse":
        return json.dumps({"invalid": "refused by the evaluator"})
    if behaviour == "hang":
        child = subprocess.Popen(["sleep", "60"])
        with open(os.environ.get("EVO_TEST_CHILD_PID", "/dev/null"), "w") as f:
            f.write(str(child.pid))
        time.sleep(60)
    if behaviour == "memory":
        hog = bytearray(2 << 30)
        return json.dumps({"score": len(hog)})
    return json.dumps({"score": sum(v * v for v in x)})


behaviour = sys.argv[1] if len(sys.argv) > 1 else "ok"
for line in sys.stdin:
    if line.strip():
        print(answer(json.loads(line), behaviour), flush=True)
