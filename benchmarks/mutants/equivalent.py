"""The surviving mutants that cannot change what igfrules does (benchmarks/mutation.py).

Each is listed by module, as (the source line as written, the line as mutated, the reason), both
stripped, and matched on text rather than line numbers so that an edit elsewhere in the module
keeps them. A mutant belongs here only when no input can make the program behave differently;
a mutant that no test happens to reach is a gap in the tests, not an equivalent.
"""

from __future__ import annotations

# Survivors that no test can kill because the program's behaviour does not change:
# module -> [(the line as written, the line as mutated (both stripped), reason)]. Matched on text,
# not line numbers, so that an edit elsewhere in the module keeps them.
_NEEDS_ORDER = ('needs_order = sorted([(%s if p.entry.kind == "rationale" else %s, i) for i, p in '
                'self.catalog.entries.items()]')
_ORDER_ONLY = "only the order of the ranks matters (rationales, then context notes, then trials), and it is kept"
_MEMO_ONLY = "the memo's bound: lines are recomputed more often or kept one fewer, never different; speed only"
_STOPPED_INIT = ('def __init__(self, output: str, lines: int, why: str, *, interrupted: bool = %s, '
                 'discarded: str = "") -> None:')
EQUIVALENT: dict[str, list[tuple[str, str, str]]] = {
    "model/verdict.py": [
        ("if len(_lines) >= 4096:", "if len(_lines) < 4096:", _MEMO_ONLY),
        ("if len(_lines) >= 4096:", "if not len(_lines) >= 4096:", _MEMO_ONLY),
        ("if len(_lines) >= 4096:", "if len(_lines) >= 4095:", _MEMO_ONLY),
    ],
    "model/conditions.py": [
        ("@dataclass(frozen=True, slots=True)", "@dataclass(frozen=True, slots=False)",
         "memory layout only: the classes stay frozen, so no attribute can be set or added either way"),
        ("key = combinators[0]", "key = combinators[ -1]",
         "the mapping holds exactly one key here (checked on the line above): the first is the last"),
        ("low, high = field.bounds or (0.0, 0.0)", "low, high = field.bounds or (0.0, -1.0)",
         "every number field has bounds (bmi: 10-90): the default is never used"),
        ("low, high = field.bounds or (0.0, 0.0)", "low, high = field.bounds or (0.0, 1.0)",
         "every number field has bounds (bmi: 10-90): the default is never used"),
        ("low, high = field.bounds or (0.0, 0.0)", "low, high = field.bounds or ( -1.0, 0.0)",
         "every number field has bounds (bmi: 10-90): the default is never used"),
        ("low, high = field.bounds or (0.0, 0.0)", "low, high = field.bounds or ( 1.0, 0.0)",
         "every number field has bounds (bmi: 10-90): the default is never used"),
        ("low, high = field.bounds or (0.0, 0.0)", "low, high = field.bounds or (1.0, 0.0)",
         "every number field has bounds (bmi: 10-90): the default is never used"),
    ],
    "engine/compiler.py": [
        ("low = STAGE_RANGES[c.value][0]", "low = STAGE_RANGES[c.value][ 1]",
         "a stage threshold is a single stage (STAGE_THRESHOLDS): its range's low end is its high end"),
        ("low = STAGE_RANGES[c.value][0]", "low = STAGE_RANGES[c.value][ -1]",
         "a stage threshold is a single stage (STAGE_THRESHOLDS): its range is a pair whose last item, its "
         "high end, is its low end"),
        ("return flat[0] if len(flat) == 1 else {key: flat}", "return flat[ -1] if len(flat) == 1 else {key: flat}",
         "one item: the first is the last"),
        ('return _or([_negate(opposite), {"$nex": {_presence_key(c): 1}}])',
         'return _or([_negate(opposite), {"$nex": {_presence_key(c): 0}}])',
         "durable_rules' $nex tests only whether the field is absent and never reads its operand (the "
         "engine-agreement property, which generates is_known / is_unknown tests, passes with 0)"),
        ('return {"$ex" if present else "$nex": {_presence_key(c): 1}}',
         'return {"$ex" if present else "$nex": {_presence_key(c): 0}}',
         "durable_rules' $ex / $nex test only whether the field is there and never read their operand"),
        ('return _or([_negate(opposite), {"$nex": {_presence_key(c): 1}}])',
         'return _or([_negate(opposite), {"$nex": {_presence_key(c): 2}}])',
         "durable_rules' $nex tests only whether the field is absent and never reads its operand"),
        ("high = STAGE_RANGES[c.value][1]", "high = STAGE_RANGES[c.value][ 0]",
         "a stage threshold is a single stage (STAGE_THRESHOLDS): its range's high end is its low end"),
    ],
    "cohort/output.py": [
        ("done[0] += os.sendfile(self.fd, source.fileno(), done[0], size - done[0])",
         "done[0] += os.sendfile(self.fd, source.fileno(), done[0], size + done[0])",
         "sendfile's count is an upper bound: it copies at most to the end of the spooled chunk, which is "
         "complete and no longer written when it is appended; the same bytes go out either way"),
        (_STOPPED_INIT % "False", _STOPPED_INIT % "True",
         "every BatchStopped igfrules makes names interrupted= (cohort/output.py, cohort/batch.py, cli/batch.py): "
         "the default is never used"),
        ("_COPY_BLOCK = 1 << 20", "_COPY_BLOCK = 1 << 19",
         "the copy's block size: the same bytes go out in the same order, in blocks half the size"),
        ("if err.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP) or done[0]:",
         "if err.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP) or done[ -1]:",
         "`done` is a one-item list: the first is the last"),
        ("source.seek(done[0])", "source.seek(done[ -1])", "`done` is a one-item list: the first is the last"),
        ("done[0] += written", "done[ -1] += written", "`done` is a one-item list: the first is the last"),
        ("done[0] += os.sendfile(self.fd, source.fileno(), done[0], size - done[0])",
         "done[ -1] += os.sendfile(self.fd, source.fileno(), done[0], size - done[0])",
         "`done` is a one-item list: the first is the last"),
        ("done[0] += os.sendfile(self.fd, source.fileno(), done[0], size - done[0])",
         "done[0] += os.sendfile(self.fd, source.fileno(), done[0], size - done[ -1])",
         "`done` is a one-item list: the first is the last"),
        ("out = prefix(done[0])", "out = prefix(done[ -1])", "`done` is a one-item list: the first is the last"),
        ("if done[0] < size:", "if done[ -1] < size:", "`done` is a one-item list: the first is the last"),
        ("_COPY_BLOCK = 1 << 20", "_COPY_BLOCK = 1 << 21",
         "the size of each read in the copy that stands in for sendfile: the same bytes go out in the same "
         "order, each write adds what it wrote to `done`, so a failure part-way counts the same lines; "
         "memory only"),
        ("_COPY_BLOCK = 1 << 20", "_COPY_BLOCK = 2 << 20",
         "the size of each read in the copy that stands in for sendfile: the same bytes go out in the same "
         "order, each write adds what it wrote to `done`, so a failure part-way counts the same lines; "
         "memory only"),
        ("if done[0] < size:", "if done[0] <= size:",
         "with the whole chunk sent (done == size) the copy seeks to the end of the spooled file, which "
         "nothing writes any more, and its first read is empty: not a byte is copied"),
        ('self.write(text.encode("utf-8", "backslashreplace"), 0)',
         'self.write(text.encode("utf-8", "backslashreplace"), 1)',
         "only `lines` after the stop record changes: write_trailer is called only once the batch stopped "
         "(cli/batch.py, cli/diff.py), which then raise the BatchStopped already made with its count; nothing "
         "reads `lines` again, and a failed trailer write is counted from its bytes, not from this number"),
        ('self.write(text.encode("utf-8", "backslashreplace"), 0)',
         'self.write(text.encode("utf-8", "backslashreplace"), -1)',
         "only `lines` after the stop record changes: write_trailer is called only once the batch stopped "
         "(cli/batch.py, cli/diff.py), which then raise the BatchStopped already made with its count; nothing "
         "reads `lines` again, and a failed trailer write is counted from its bytes, not from this number"),
        ("umask = os.umask(0)", "umask = os.umask( 1)",
         "the mask is set only to read the old one, and put back on the next line: the value read is the same"),
        ("elif done[0]:", "elif done[ -1]:", "`done` is a one-item list: the first is the last"),
        ("while done[0] < size and self._sendfile:", "while done[ -1] < size and self._sendfile:",
         "`done` is a one-item list: the first is the last"),
        ("umask = os.umask(0)", "umask = os.umask( -1)",
         "the mask is set only to read the old one, and put back on the next line: the value read is the same"),
    ],
    "fhir/receptors.py": [
        ("return _by_percent(value, 100, comparator == \">\", False, written, label)",
         "return _by_percent(value, 100, comparator != \">\", False, written, label)",
         "_by_percent never reads low_open: a low end of at least 1% is positive open or closed, and one under "
         "1% straddles 1% open or closed"),
        ("return _by_percent(value, value, False, False, written, label)",
         "return _by_percent(value, value, True, False, written, label)",
         "_by_percent never reads low_open: a low end of at least 1% is positive open or closed, and one under "
         "1% straddles 1% open or closed"),
        ("return _by_percent(value, value, False, False, written, label)",
         "return _by_percent(value, value, False, True, written, label)",
         "one value: high_open is read only when low (the same value) is under 1%, where high < 1 already "
         "says negative"),
        ("return _by_percent(0, value, False, comparator == \"<\", written, label)",
         "return _by_percent(0, value, True, comparator == \"<\", written, label)",
         "_by_percent never reads low_open: a low end of 0% straddles 1% or is under it, open or closed"),
        ("def answer(obs: Any, ihc: bool, label: str, her2: bool = False) -> _Answer:",
         "def answer(obs: Any, ihc: bool, label: str, her2: bool = True) -> _Answer:",
         "both callers (receptor and _latest) pass her2: the default is never used"),
        ("return _by_percent(value, 100, comparator == \">\", False, written, label)",
         "return _by_percent(value, 99, comparator == \">\", False, written, label)",
         "the high end of \">x%\" is read only for its range (99 and 100 both in 0-100) and against 1% (both at "
         "least 1%: the answer is positive or straddles as before); the written text holds no high end"),
        ('return _Answer(read.coded[0], f"coded {read.coded[0]}")',
         'return _Answer(read.coded[0], f"coded {read.coded[ -1]}")',
         "read.coded holds exactly one value here (more than one returned on the line above): the first is "
         "the last"),
        ('return _Answer(said[0], "text " + repr(" ".join(texts)[:80]))',
         'return _Answer(said[ -1], "text " + repr(" ".join(texts)[:80]))',
         "said holds exactly one value here (more than one returned above, none tested on the line above): "
         "the first is the last"),
        ("if len(scores) > 1 or not scores <= set(_IHC):", "if len(scores) > 1 or not scores < set(_IHC):",
         "reached only with one score (more than one answers on the left): a one-item set is a proper subset "
         "of the four scores exactly when it is a subset"),
        ('return _by_percent(value, 100, comparator == ">", False, written, label)',
         'return _by_percent(value, 100, comparator == ">", True, written, label)',
         "_by_percent reads high_open only when high == 1, and high is 100 here"),
        ('return _by_percent(low, high, False, False, f"{low:g}-{high:g}%", label)',
         'return _by_percent(low, high, True, False, f"{low:g}-{high:g}%", label)',
         "_by_percent never reads low_open: a low end of 1% or more is positive open or closed, and one "
         "under 1% straddles or is negative by the high end alone"),
        ("match = found[0]", "match = found[ -1]",
         "the match is read only when one score was found (with more, `why` is set and the warning quotes "
         "the text, not the match): the first is the last"),
        ('return _Answer(read.coded[0], f"coded {read.coded[0]}")',
         'return _Answer(read.coded[ -1], f"coded {read.coded[0]}")',
         "more than one coded meaning answers on the line above: here there is one, the first is the last"),
    ],
    "fhir/therapies.py": [
        ("for size in range(min(longest, len(tokens) - position), 0, -1):",
         "for size in range(min(longest, len(tokens) - position), -1, -1):",
         "size 0 looks up the empty name, which is never in the index: the loop goes on as before"),
        ("return index, max((len(k) for k in index), default=0)",
         "return index, max((len(k) for k in index), default= 1)",
         "the vocabulary always names agents: the default of an empty index is never used"),
        ("inside = [s for s in statuses if s[0] and s[0] > start and (not end or s[0] <= end)]",
         "inside = [s for s in statuses if s[ -1] and s[0] > start and (not end or s[0] <= end)]",
         "s[0] is a status's day, always text ('' when undated), and start is not empty here: '' > start is "
         "already false, so the first test only repeats the second; s[-1], the label, is never empty"),
        ("while position < len(tokens):", "while position <= len(tokens):",
         "at position == len(tokens) the inner range is empty (0 tokens left), so the pass finds nothing and "
         "only steps past the end: the same agents, one idle turn more"),
        ("for size in range(min(longest, len(tokens) - position), 0, -1):",
         "for size in range(min(longest, len(tokens) + position), 0, -1):",
         "the sizes added all exceed the tokens left, and a slice past the end is just the tokens left: the "
         "same lookup as the first size of the original, and a match there ends the text either way"),
        ('if item.start and (not group["start"] or item.start < group["start"]):',
         'if item.start and (not group["start"] or item.start <= group["start"]):',
         "an equal start is assigned again: the group's start is the same text either way"),
        ("names = sorted({agent, *vocabulary().agents[agent].synonyms}, key=len, reverse=True)",
         "names = sorted({agent, *vocabulary().agents[agent].synonyms}, key=len, reverse=False)",
         "the pattern is used only as `.search(text)`'s truth (_formulations); Python's re tries every "
         "alternative of an alternation on backtracking, so the names' order changes which match is found "
         "first, never whether one is"),
        ("return index, max((len(k) for k in index), default=0)",
         "return index, max((len(k) for k in index), default= -1)",
         "the default is used only for an empty index, where no size can find an agent: with -1 no size "
         "is tried, with 0 likewise (range(0, 0, -1) is empty); the same nothing found"),
    ],
    "evaluation/evaluate.py": [
        (_NEEDS_ORDER % ("0", "1"), _NEEDS_ORDER % (" -1", "1"), _ORDER_ONLY),
        ("+ [(2, nct) for nct in kb.trials])", "+ [( 3, nct) for nct in kb.trials])", _ORDER_ONLY),
        ("return lambda mapping: (mapping[names[0]],)", "return lambda mapping: (mapping[names[ -1]],)",
         "one name: the first is the last"),
        ("if len(self) >= self.LIMIT:", "if not len(self) >= self.LIMIT:",
         "the memo is cleared before almost every insert: explanations recomputed, never different; speed only"),
        ("for trial, value in zip(self.trials, self._trial_truth(truth), strict=True):",
         "for trial, value in zip(self.trials, self._trial_truth(truth), strict=False):",
         "both come from the same trials, always as many: strict never has anything to refuse"),
        ("if len(self) >= self.LIMIT:", "if len(self) < self.LIMIT:",
         "the memo is cleared before every insert (it never reaches the limit): explanations recomputed, "
         "never different; speed only"),
        ("return itemgetter(indices[0])", "return itemgetter(indices[ -1])", "one index: the first is the last"),
        ("if len(indices) == 1:", "if len(indices) == 0:",
         "every condition has a leaf (parse_condition refuses an empty all/any), so a key reads at least one "
         "value; with one, itemgetter(*[i]) is itemgetter(i): the same key"),
        ("for state, test in zip([get(k) for k in self.includes_keys], self.includes_tests, strict=True)])",
         "for state, test in zip([get(k) for k in self.includes_keys], self.includes_tests, strict=False)])",
         "both are built from the same sorted includes keys (_Row.__init__), always as many"),
        ("key: tuple[Any, ...] = (plan.id, True, plan.key(row), tuple(",
         "key: tuple[Any, ...] = (plan.id, False, plan.key(row), tuple(",
         "a constant in the memo key of a positive rationale: its key has four items, every other key three, "
         "so no key of another kind can equal it either way"),
        ("if plan.is_rationale and value:", "if plan.is_rationale or value:",
         "only the memo key's shape changes: a context note's key gains its (empty or unheightened) cautions, "
         "and a rationale whose value is None gets the True-shaped key; but the key holds every value the "
         "entry's condition reads, so equal keys always come with equal values and no item is ever shared "
         "between a True and a None case"),
        ("for plan, value in zip(self.entries, self._entry_truth(truth), strict=True):",
         "for plan, value in zip(self.entries, self._entry_truth(truth), strict=False):",
         "both come from the same entries, always as many: strict never has anything to refuse"),
        ('parts.entry.kind == "rationale" and parts.entry.strategy is not None,',
         'parts.entry.kind == "rationale" or parts.entry.strategy is not None,',
         "the loader refuses a rationale without a strategy and a context note with one (knowledge/"
         "references.py): in every knowledge base that loads, either test alone decides the same"),
    ],
    "fhir/lenient.py": [
        ("@dataclass(frozen=True)", "@dataclass(frozen=False)",
         "a Skipped is built once (bundle.read_resources) and only read by attribute (lenient.leave_unknown, "
         "breast._skipped_conditions, profile's strict refusal): never assigned, hashed, nor a key or set "
         "member; equality and repr are the same either way"),
    ],
    "fhir/findings.py": [
        ("return bool(_NOT_EXCLUDED.search(folded) or _BEFORE.search(folded) or _AFTER.search(folded)",
         "return bool(_NOT_EXCLUDED.search(folded) and _BEFORE.search(folded) or _AFTER.search(folded)",
         "every _NOT_EXCLUDED match ends in 'excluded', 'ruled out' or 'r_o', each of which _BEFORE also "
         "matches: where the first test is true the second is too, so `and` and `or` give the same"),
        ("@dataclass(frozen=True)", "@dataclass(frozen=False)",
         "Mention and ConceptReading are built by the reader and only read by attribute (receptors, tumour, "
         "breast, patient_facts, staging): never assigned, hashed, nor a key or set member; equality and "
         "repr are the same either way (Reading, a dataclass default, is killed: unhashable, it is refused)"),
        ("uncertain: bool = False", "uncertain: bool = True",
         "every Mention is built with `uncertain` given (_said_of passes all three flags; said_of's unread "
         "text passes uncertain=True): the default is never used"),
        ("someone_else: bool = False", "someone_else: bool = True",
         "only said_of's unread-text Mention takes the default, and it is uncertain already (not asserted "
         "either way); its one caller, receptors._ihc, reads negated and uncertain, never someone_else"),
        ("if not text or not terms:", "if not text and not terms:",
         "mentions' only caller, read_all, is reached only from read_concept, which passes terms only when "
         "there are some (`if terms`) and only non-empty texts (`if w`): both tests are false there either way"),
        ("start = breaks[left - 1] + 1 if left else 0", "start = breaks[left - 1] + 0 if left else 0",
         "the clause's text before the term gains only its break: a . , ; / or line break, or the first "
         "letter of but/however/although/except/whereas; no cue is one such character, none begins with "
         "'but', 'however', 'although', 'except' or 'whereas', and every cue starts at a word boundary "
         "either way"),
    ],
    "fhir/genes.py": [
        ("value, labels, note = results[0]", "value, labels, note = results[ -1]",
         "reached only when there is one result (`if len(results) == 1`): the first is the last"),
    ],
    "fhir/staging.py": [
        ("return bool(a and b) and a > b and not a.startswith(b)",
         "return bool(a and b) and a >= b and not a.startswith(b)",
         "they differ only when a == b, where a.startswith(b) holds and the answer is False either way"),
        ("return bool(a and b) and a > b and not a.startswith(b)",
         "return bool(a or b) and a > b and not a.startswith(b)",
         "with one side empty the answer is False anyway: '' > b is false, and a.startswith('') is true"),
        ("a, b = later[:10], when[:10]", "a, b = later[: 11], when[:10]",
         "b is at most 10 characters: an 11th character of a changes neither a > b (it decides only when a == b, "
         "where a.startswith(b) answers False) nor whether a starts with b"),
        ("a, b = later[:10], when[:10]", "a, b = later[:10], when[: 11]",
         "a is at most 10 characters and holds no 'T': when b gains one, a == b[:10] sorts before it (False, "
         "as a == b was), and a differing earlier compares and starts the same"),
        ('summaries[(label, value)] = (instant(when), False, value, label, "Condition.stage.summary", day(when))',
         'summaries[(label, value)] = (instant(when), True, value, label, "Condition.stage.summary", day(when))',
         "summaries are ranked only among themselves (`observed.values() or summaries.values()`), and every "
         "one gets the same flag either way; nothing else reads it"),
        ('if "is" in match.group(1):', 'if "is" in match.group( 0):',
         "the match holds an 's' only in its group 1 (the prefix is c, p, yc, yp, rc or rp; the separators are "
         "spaces, _ and -; the letter is a, b or c), so 'is' is in the whole match exactly when it is in group 1"),
        ("return found[0] if len(found) == 1 else None", "return found[ -1] if len(found) == 1 else None",
         "one item (stage_of and _one_stage): the first is the last"),
        ('same = [m for m in m_read if m[2] == "M0" and m[0] and when and m[0][:10] == when[:10]]',
         'same = [m for m in m_read if m[2] == "M0" and m[ -1] and when and m[0][:10] == when[:10]]',
         "m[-1] (the M0's day) and m[0] (its instant) come from the same time and are empty together; and with "
         "`when` not empty, m[0][:10] == when[:10] already needs m[0] not empty"),
    ],
    "fhir/patient_facts.py": [
        ('gender = getattr(patients[0], "gender", None)', 'gender = getattr(patients[ -1], "gender", None)',
         "a record holds at most one Patient (check_one_patient refuses two, and one repeated is read once): "
         "the first is the last"),
        ("label = resources.label(patients[0])", "label = resources.label(patients[ -1])",
         "a record holds at most one Patient (check_one_patient refuses two): the first is the last"),
        ("low, high = FIELDS[\"bmi\"].bounds or (0.0, 0.0)", "low, high = FIELDS[\"bmi\"].bounds or (0.0, -1.0)",
         "bmi has bounds (10-90): the default is never used"),
        ("low, high = FIELDS[\"bmi\"].bounds or (0.0, 0.0)", "low, high = FIELDS[\"bmi\"].bounds or ( -1.0, 0.0)",
         "bmi has bounds (10-90): the default is never used"),
        ("low, high = FIELDS[\"bmi\"].bounds or (0.0, 0.0)", "low, high = FIELDS[\"bmi\"].bounds or (0.0, 1.0)",
         "bmi has bounds (10-90): the default is never used"),
        ("low, high = FIELDS[\"bmi\"].bounds or (0.0, 0.0)", "low, high = FIELDS[\"bmi\"].bounds or ( 1.0, 0.0)",
         "bmi has bounds (10-90): the default is never used"),
    ],
    "service/auth/checks.py": [
        ("except (jwt.PyJWTError, UnicodeDecodeError, DocumentError, ValueError):",
         "except (jwt.PyJWTError, CosmicRayTestingException, DocumentError, ValueError):",
         "UnicodeDecodeError is a ValueError, still caught by the same clause with the same answer"),
        ("except (jwt.PyJWTError, UnicodeDecodeError, DocumentError, ValueError):",
         "except (jwt.PyJWTError, UnicodeDecodeError, CosmicRayTestingException, ValueError):",
         "DocumentError (documents/strict_json.py) is a ValueError, still caught by the same clause"),
        ("break", "continue",
         "the key search's only loop: once a key is found every later turn meets the same test and goes "
         "on without fetching or assigning; only idle turns over the issuer's few jku URLs are added"),
    ],
    "knowledge/cache.py": [
        ("if TYPE_CHECKING:", "if not TYPE_CHECKING:",
         "a type-only import done at run time: loader imports cache only inside functions, so there is no "
         "cycle, and nothing uses the name"),
        ("entries.setdefault(match.group(1), []).append((item.stat(follow_symlinks=False).st_mtime, item.name))",
         "entries.setdefault(match.group(1), []).append((item.stat(follow_symlinks=True).st_mtime, item.name))",
         "reached only for regular files (is_file(follow_symlinks=False) above), where both stats agree"),
        ("if now - item.stat(follow_symlinks=False).st_mtime > _LEFTOVER_SECONDS:",
         "if now - item.stat(follow_symlinks=True).st_mtime > _LEFTOVER_SECONDS:",
         "reached only for regular files (is_file(follow_symlinks=False) above), where both stats agree"),
        ("if now - item.stat(follow_symlinks=False).st_mtime > _LEFTOVER_SECONDS:",
         "if now - item.stat(follow_symlinks=False).st_mtime >= _LEFTOVER_SECONDS:",
         "differs only for a file exactly 3600.000000 s old on a float clock: no run can meet that instant"),
        ('temporary = f".tmp-{secrets.token_hex(8)}"', 'temporary = f".tmp-{secrets.token_hex( 7)}"',
         "only the random part of a transient name shrinks (56 bits instead of 64): the file is renamed into "
         "place or removed within the call, the prune matches it by its `.tmp-` prefix alone, and a clash "
         "(odds of 2**-56 against another writer's name at that instant) fails O_EXCL into the no-cache path "
         "that any unwritable disk already takes"),
        ('temporary = f".tmp-{secrets.token_hex(8)}"', 'temporary = f".tmp-{secrets.token_hex( 9)}"',
         "only the random part of a transient name grows (72 bits instead of 64, 23 characters in all): the "
         "file is renamed into place or removed within the call and the prune matches it by its `.tmp-` "
         "prefix alone"),
    ],
    "service/app.py": [
        ("if TYPE_CHECKING:", "if not TYPE_CHECKING:",
         "type-only imports done at run time: the module imports them without a cycle, and the names are "
         "used only in annotations, which are never evaluated (postponed; FastAPI reads only the endpoints' "
         "annotations, which name none of them)"),
        ('record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])',
         'record.args = (*args[:2], args[2].split("?", 2)[0], *args[3:])',
         'only the first piece is kept, and it is the text before the first "?" whatever the maxsplit'),
        ("for c, card in zip(made, sent, strict=True)), _today())",
         "for c, card in zip(made, sent, strict=False)), _today())",
         "sent is stamp(made, ...), one card for each of made: the two are always the same length"),
        ('return _error(400, "the request is not valid")', 'return _error( 399, "the request is not valid")',
         "no route declares a parameter that can fail validation (a str path segment and the raw Request), "
         "so FastAPI never raises RequestValidationError and this handler never runs"),
        ('return _error(400, "the request is not valid")', 'return _error( 401, "the request is not valid")',
         "no route declares a parameter that can fail validation (a str path segment and the raw Request), "
         "so FastAPI never raises RequestValidationError and this handler never runs"),
        ("for e in err.errors(include_url=False)]", "for e in err.errors(include_url=True)]",
         "only each error's loc and msg are read; include_url adds a url key that nothing reads"),
    ],
}
