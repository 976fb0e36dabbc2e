#!/usr/bin/env python3
"""An external evaluator for `evo run --domain external`: symbolic regression.

evo sends one JSON object per line on stdin, one per candidate:
    {"genome": "program", "program": "input x\\nr1 = mul(x, x)\\noutput y = r1\\n",
     "inputs": ["x"], "outputs": ["y"]}
and reads one JSON object per candidate on stdout, a number for each objective:
    {"loss": 0.0123}
or {"invalid": "why"} for a candidate that cannot be scored. Works in both modes: with
mode=process it answers the one line it gets and exits at the end of its input; with
mode=server it keeps answering until evo closes its stdin.

    evo run --domain external --set command="python3 evaluators/external/example_evaluator.py" \\
            --set objectives=loss --set mode=server --budget 5000 --db sr.db

The task: fit y = x^3 - x/2 on 64 points of [-1, 1] (mean squared error).
"""
import json
import math
import sys

OPS = {  # evo's ops (README, Program text), in the double precision evo uses
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b if b != 0 else math.copysign(math.inf, a) if a != 0 else math.nan,
    "neg": lambda a: -a,
    "abs": abs,
    "sqrt": lambda a: math.sqrt(a) if a >= 0 else math.nan,
    "fma": lambda a, b, c: a * b + c,
    "min": min,
    "max": max,
}


def parse_operand(text, registers):
    text = text.strip()
    if text in registers:
        return registers[text]
    return float.fromhex(text) if "0x" in text else float(text)


def run(program, inputs):
    """Runs evo's program text on one point: {input name: value} -> {output name: value}."""
    registers = dict(inputs)
    outputs = {}
    for line in program.splitlines():
        line = line.strip()
        if not line or line.startswith("input"):
            continue
        if line.startswith("output"):
            name, reg = line[len("output"):].split("=")
            outputs[name.strip()] = registers[reg.strip()]
            continue
        target, call = line.split("=", 1)
        op, args = call.strip().split("(", 1)
        values = [parse_operand(a, registers) for a in args.rstrip(")").split(",") if a.strip()]
        if op == "const":
            registers[target.strip()] = values[0]
        elif op in OPS:
            registers[target.strip()] = OPS[op](*values)
        else:
            raise ValueError("op %s is not known to this evaluator" % op)
    return outputs


def score(request):
    if request.get("genome") != "program":
        return {"invalid": "this evaluator scores programs"}
    points = [-1 + 2 * i / 63 for i in range(64)]
    total = 0.0
    for x in points:
        y = run(request["program"], {"x": x})["y"]
        total += (y - (x ** 3 - x / 2)) ** 2
    loss = total / len(points)
    if not math.isfinite(loss):
        return {"invalid": "not finite on the data"}
    return {"loss": loss}


for line in sys.stdin:
    if not line.strip():
        continue
    try:
        answer = score(json.loads(line))
    except Exception as e:  # any failure is one candidate's problem, not the run's
        answer = {"invalid": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(answer), flush=True)
