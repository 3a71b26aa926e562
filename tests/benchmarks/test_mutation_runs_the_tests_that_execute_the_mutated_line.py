"""benchmarks/mutation.py runs against each mutant only the tests that executed its line
(benchmarks/mutants/choose.py). A mistake there would not fail any run: it would make mutants
survive that the module's tests kill (a score too low), or, worse, pick no tests for a line that
runs at import and call the mutant survived without trying. These pin the choice."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def select() -> ModuleType:
    return _benchmark("mutants.choose")


def _benchmark(name: str) -> ModuleType:
    """A module of benchmarks/mutants, imported as benchmarks/mutation.py imports it."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


SOURCE = '''\
LIMIT = 3  # 1

def check(value, *, bound=LIMIT):  # 3
    if (value >  # 4
            bound):  # 5
        return "over"  # 6
    try:  # 7
        total = [v for v in value  # 8
                 if v]  # 9
    except TypeError:  # 10
        return None  # 11
    return total  # 12


@decorate(2)  # 15
class Holder:  # 16
    size = 4  # 17

    def method(self):  # 19
        return self.size > 1  # 20
'''


@pytest.mark.parametrize(("line", "statement", "at_import"), [
    (1, range(1, 2), True),          # a module-level constant: its effect reaches every test
    (3, range(3, 4), True),          # a default argument: evaluated when the def runs, at import
    (4, range(4, 6), False),         # an if's test over two lines: its header, not its body
    (5, range(4, 6), False),
    (6, range(6, 7), False),
    (8, range(8, 10), False),        # a statement over two lines: both lines
    (9, range(8, 10), False),
    (10, range(10, 11), False),      # an except clause (ExceptionReplacer mutates its class)
    (15, range(15, 16), True),       # a decorator runs at import
    (17, range(17, 18), True),       # a class body runs at import
    (20, range(20, 21), False),      # a method's body runs when it is called
])
def test_a_mutated_line_is_placed_in_its_statement(select: ModuleType, line: int, statement: range,
                                                   at_import: bool) -> None:
    assert select.statement_of(SOURCE, line) == (statement, at_import)


def test_the_tests_chosen_are_those_that_executed_the_statement_fastest_first(select: ModuleType) -> None:
    mapping = {"4": ["t::slow", "t::fast"], "5": ["t::other"], "6": ["t::fast"]}
    durations = {"t::slow": 9.0, "t::fast": 0.1, "t::other": 1.0}
    assert select.choose(mapping, durations, range(4, 6), False) == ["t::fast", "t::other", "t::slow"]
    assert select.choose(mapping, durations, range(6, 7), False) == ["t::fast"]


def test_a_line_run_at_import_or_outside_any_test_runs_the_whole_list(select: ModuleType) -> None:
    """None means the module's whole test list: a line run at import, or executed only where no
    test's name reached (a process started without the test's environment), may matter to tests
    coverage cannot name."""
    mapping = {"1": ["t::first_importer"], "2": [""], "3": ["", "t::named"]}
    assert select.choose(mapping, {}, range(1, 2), True) is None
    assert select.choose(mapping, {}, range(2, 3), False) is None
    assert select.choose(mapping, {}, range(3, 4), False) == ["t::named"]


def test_a_line_no_test_executed_runs_no_test_and_the_mutant_survives(select: ModuleType) -> None:
    assert select.choose({"4": ["t::a"]}, {}, range(6, 7), False) == []


def test_the_changed_line_is_the_first_that_differs(select: ModuleType) -> None:
    mutated = SOURCE.replace("value >  # 4", "value >=  # 4")
    assert select.changed_line(SOURCE, mutated) == 4
    assert select.changed_line(SOURCE, SOURCE) is None
    assert select.changed_line("a\nb\n", "a\nb\nc\n") == 3


@pytest.fixture(scope="module")
def confirming() -> ModuleType:
    return _benchmark("mutants.confirm")


DIFF = """--- mutation diff ---
--- a/src/igfrules/example.py
+++ b/src/igfrules/example.py
@@ -3,4 +3,4 @@
 def check(value, *, bound=LIMIT):  # 3
-    if (value >  # 4
+    if (value >=  # 4
             bound):  # 5
         return "over"  # 6
"""


def test_a_survivor_is_written_again_exactly_as_cosmic_ray_wrote_it(confirming: ModuleType) -> None:
    """--confirm writes each survivor into the module again from its stored diff; a diff applied
    one line off would try another mutant, or none, against the whole list."""
    mutated = confirming.apply(SOURCE, DIFF)
    assert mutated == SOURCE.replace("if (value >  # 4", "if (value >=  # 4")


def test_a_diff_that_does_not_fit_the_module_is_not_applied(confirming: ModuleType) -> None:
    assert confirming.apply(SOURCE.replace("bound):  # 5", "limit):  # 5"), DIFF) is None
    assert confirming.apply(SOURCE, "no hunk at all") is None


def test_only_the_modules_own_tests_are_chosen(select: ModuleType) -> None:
    """The map holds every test measured in the run, of every module; a mutant runs only those of
    its own module's list, so its score does not depend on which modules were measured together."""
    own = ["tests/fhir", "tests/model/test_verdict.py"]
    assert select.under("tests/fhir/test_x.py::test_y[a]", own)
    assert select.under("tests/model/test_verdict.py::test_z", own)
    assert not select.under("tests/fhirish/test_x.py::test_y", own)
    assert not select.under("tests/model/test_verdict_names.py::test_z", own)


def test_each_module_is_listed_once_among_the_equivalent_mutants() -> None:
    """A dict literal keeps the last of two equal keys and drops the first without a word: two
    engineers each adding a module's block would lose one block's reasons, and its mutants would
    count as survivors again (it happened twice while issue 23's survivors were handled)."""
    import ast

    tree = ast.parse((ROOT / "benchmarks" / "mutants" / "equivalent.py").read_text(encoding="utf-8"))
    table = next(n.value for n in tree.body
                 if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "EQUIVALENT")
    assert isinstance(table, ast.Dict)
    keys = [k.value for k in table.keys if isinstance(k, ast.Constant)]
    assert len(keys) == len(table.keys) and len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
