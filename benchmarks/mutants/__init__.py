"""The parts of mutation testing (benchmarks/mutation.py, issue 23), in the order a run uses them.

- modules.py: which modules are mutated, by which operators, and the tests that check each;
- choose.py: the tests run once under coverage (which test executes which line), and, for each
  mutant cosmic-ray writes, the runner that runs only the tests that executed its line;
- confirm.py: survivors tried again against the module's whole test list (--confirm);
- equivalent.py: the survivors that cannot change behaviour, each with its reason.

mutation.py itself copies the repository, drives cosmic-ray within the time budget and prints the
table. Nothing here is imported by igfrules or its tests' fixtures.
"""
