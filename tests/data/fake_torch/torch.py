"""A stand-in for the few parts of PyTorch an exported update rule uses, in plain Python
(float64 lists), so tests can run exported optimizers where PyTorch is not installed.
Tensors are flat; a 0-dimensional tensor broadcasts against any other."""
import collections
import contextlib
import math

float64 = "float64"


class Tensor:
    def __init__(self, data, scalar=False):
        self.data = [float(x) for x in data]
        self.scalar = scalar
        self.grad = None

    dtype = float64
    device = "cpu"

    def _zip(self, other, f):
        other = other if isinstance(other, Tensor) else Tensor([other], True)
        if self.scalar and other.scalar:
            return Tensor([f(self.data[0], other.data[0])], True)
        n = max(len(self.data), len(other.data))
        a = self.data * n if self.scalar else self.data
        b = other.data * n if other.scalar else other.data
        return Tensor([f(x, y) for x, y in zip(a, b)])

    def _map(self, f):
        return Tensor([f(x) for x in self.data], self.scalar)

    def __add__(self, o): return self._zip(o, lambda a, b: a + b)
    def __radd__(self, o): return self._zip(o, lambda a, b: b + a)
    def __sub__(self, o): return self._zip(o, lambda a, b: a - b)
    def __rsub__(self, o): return self._zip(o, lambda a, b: b - a)
    def __mul__(self, o): return self._zip(o, lambda a, b: a * b)
    def __rmul__(self, o): return self._zip(o, lambda a, b: b * a)
    def __truediv__(self, o): return self._zip(o, _div)
    def __neg__(self): return self._map(lambda a: -a)
    def __lt__(self, o): return self._zip(o, lambda a, b: float(a < b))
    def __gt__(self, o): return self._zip(o, lambda a, b: float(a > b))
    def __eq__(self, o): return self._zip(o, lambda a, b: float(a == b))
    __hash__ = object.__hash__

    def clone(self): return Tensor(self.data, self.scalar)

    def sub_(self, o):
        self.data = self._zip(o, lambda a, b: a - b).data
        return self


def _div(a, b):
    if b == 0:
        return math.copysign(math.inf, a) * math.copysign(1, b) if a != 0 else math.nan
    return a / b


def tensor(x, dtype=None, device=None): return Tensor([x], True)
def zeros_like(t): return Tensor([0.0] * len(t.data), t.scalar)
def abs(t): return t._map(math.fabs)
def sqrt(t): return t._map(lambda a: math.sqrt(a) if a >= 0 else math.nan)
def sign(t): return t._map(lambda a: float((a > 0) - (a < 0)))
def exp(t): return t._map(math.exp)
def log(t): return t._map(math.log)


def nan_to_num(t): return t._map(lambda a: 0.0 if math.isnan(a) else a)


def mean(t): return Tensor([sum(t.data) / len(t.data)], True)


def clamp(t, min=None, max=None):
    return t._map(lambda a: a if (min is None or a >= min) and (max is None or a <= max)
                  else (min if min is not None and a < min else max))


def minimum(a, b): return a._zip(b, lambda x, y: x if x < y else y)
def maximum(a, b): return a._zip(b, lambda x, y: x if x > y else y)


def _broadcast(*ts):
    ts = [t if isinstance(t, Tensor) else Tensor([t], True) for t in ts]
    n = max(len(t.data) for t in ts)
    return [t.data * n if t.scalar else t.data for t in ts], all(t.scalar for t in ts)


def where(cond, a, b):
    (c, x, y), scalar = _broadcast(cond, a, b)
    return Tensor([p if s else q for s, p, q in zip(c, x, y)], scalar)


def no_grad():
    def wrap(f):
        return f
    return wrap


@contextlib.contextmanager
def enable_grad():
    yield


class _Optim:
    class Optimizer:
        def __init__(self, params, defaults):
            self.param_groups = [dict(defaults, params=list(params))]
            self.state = collections.defaultdict(dict)


optim = _Optim
