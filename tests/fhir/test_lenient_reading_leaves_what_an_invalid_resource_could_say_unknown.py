"""An invalid resource is skipped with a warning naming it and every element at fault, and every
field it could have informed is unknown; --strict (strict=True) refuses the record as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from igfrules import CaseError
from igfrules.cli import main
from igfrules.fhir.bundle import read_bundle
from igfrules.fhir.profile import map_bundle, map_resources
from tests.fhir.builders import ICD10, LOINC, POSITIVE, SCT, bundle, cc, condition, observation

TWO_VALUES = observation("er-bad", "85337-4", valueCodeableConcept=POSITIVE, valueString="positive")
AS_OBJECT = observation("pr-bad", "85339-0", valueCodeableConcept=POSITIVE, interpretation=cc(LOINC, "A"))


def test_two_value_elements_name_both_and_the_other_fault_too() -> None:
    bad = observation("x", "85337-4", valueCodeableConcept=POSITIVE, valueString="positive",
                      interpretation=cc(LOINC, "A"))
    with pytest.raises(CaseError) as caught:
        map_bundle(bundle(bad), strict=True)
    message = str(caught.value)
    assert "Observation.valueCodeableConcept, Observation.valueString" in message
    assert "Observation.interpretation" in message


def test_an_invalid_er_observation_makes_er_unknown_even_beside_a_valid_positive() -> None:
    good = observation("er-good", "85337-4", "2024-02-01", valueCodeableConcept=POSITIVE)
    assert map_bundle(bundle(good)).profile.er_status == "positive"
    case = map_bundle(bundle(good, TWO_VALUES))
    assert case.profile.er_status == "unknown"
    source = case.mapping.source("er_status")
    assert "Observation/er-bad" in source.resources and "skipped" in source.note
    warning = next(w for w in case.mapping.warnings if w.startswith("Observation/er-bad skipped"))
    assert "Observation.valueCodeableConcept, Observation.valueString" in warning and "er_status" in warning
    assert case.profile.pr_status == "unknown"  # never read, and not because of the ER resource


def test_interpretation_as_an_object_names_observation_interpretation() -> None:
    case = map_bundle(bundle(AS_OBJECT))
    warning = next(w for w in case.mapping.warnings if w.startswith("Observation/pr-bad skipped"))
    assert "Observation.interpretation" in warning and "pr_status" in warning


def test_an_invalid_observation_whose_code_cannot_be_read_makes_every_observation_field_unknown() -> None:
    unreadable: dict[str, Any] = {"resourceType": "Observation", "id": "u", "status": "final", "code": "ER"}
    good = observation("bmi", "39156-5", valueQuantity={"value": 24.0, "unit": "kg/m2"})
    case = map_bundle(bundle(good, unreadable))
    assert case.profile.bmi == "unknown"
    for name in ("er_status", "stage", "pik3ca_mutation", "serum_igf1"):
        assert "Observation/u" in case.mapping.source(name).resources


def test_an_observation_of_a_code_nothing_reads_informs_no_field() -> None:
    other = observation("o", "72166-2", valueCodeableConcept=POSITIVE, valueString="x")  # smoking status
    good = observation("er", "85337-4", valueCodeableConcept=POSITIVE)
    case = map_bundle(bundle(good, other))
    assert case.profile.er_status == "positive"
    assert any(w.startswith("Observation/o skipped") and "none of the fields" in w for w in case.mapping.warnings)


def test_the_bundle_envelope_never_blocks_and_is_a_warning() -> None:
    data = bundle(observation("er", "85337-4", valueCodeableConcept=POSITIVE), bundle_id="trial_patient_1")
    case = map_bundle(data)
    assert case.profile.er_status == "positive"
    assert any("Bundle.id" in w for w in case.mapping.warnings)
    with pytest.raises(CaseError, match=r"Bundle\.id"):
        map_bundle(data, strict=True)


def test_strict_refuses_and_lenient_reads_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(bundle(TWO_VALUES, AS_OBJECT)), encoding="utf-8")
    lenient = CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"])
    assert lenient.exit_code == 0
    assert "Observation/er-bad skipped" in lenient.output
    strict = CliRunner().invoke(main, ["evaluate", str(path), "--strict"])
    assert strict.exit_code == 1
    assert "Observation/er-bad: Observation.valueCodeableConcept, Observation.valueString" in strict.output
    assert "Observation/pr-bad: Observation.interpretation" in strict.output
    assert "Traceback" not in strict.output


def test_strict_in_a_batch_is_an_error_line_and_lenient_a_report(tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(bundle(TWO_VALUES)), encoding="utf-8")
    out = tmp_path / "lines.jsonl"
    lenient = CliRunner().invoke(main, ["batch", str(folder), "--workers", "1", "--out", str(out)])
    assert lenient.exit_code == 0 and '"error"' not in out.read_text(encoding="utf-8")
    strict = CliRunner().invoke(main, ["batch", str(folder), "--workers", "1", "--strict", "--out", str(out)])
    assert strict.exit_code == 1
    line = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert "Observation/er-bad" in json.dumps(line) and "error" in line


def test_resources_already_read_are_mapped_leniently_unless_strict_is_asked() -> None:
    """The service maps a prefetch with map_resources and no `strict`: an invalid resource in it must
    be skipped with a warning, not refuse the whole request. Mutation: map_resources' default
    `strict=False` turned into True."""
    good = observation("er-good", "85337-4", "2024-02-01", valueCodeableConcept=POSITIVE)
    resources = read_bundle(bundle(good, AS_OBJECT), "prefetch")[1]
    case = map_resources(resources, source="prefetch")
    assert case.profile.er_status == "positive" and case.profile.pr_status == "unknown"
    assert any(w.startswith("Observation/pr-bad skipped") for w in case.mapping.warnings)
    with pytest.raises(CaseError, match=r"Observation\.interpretation"):
        map_resources(resources, source="prefetch", strict=True)


DIABETES, HYPERTENSION = "73211009", "38341003"
STAGE_IV = observation("stage", "21908-9", valueCodeableConcept={"text": "Stage IV"})


def _diabetes_and_stage_beside(invalid: dict[str, Any]) -> tuple[Any, Any]:
    profile = map_bundle(bundle(invalid, condition("dm-good", SCT, DIABETES), STAGE_IV)).profile
    return profile.diabetes, profile.stage


@pytest.mark.parametrize("coding", [[{"system": SCT, "code": DIABETES}], [{"system": ICD10, "code": "E11.9"}]])
def test_an_invalid_diabetes_condition_leaves_diabetes_unknown_and_the_stage_read(coding: list[Any]) -> None:
    """A Condition whose every code is diabetes (SNOMED CT or ICD-10-CM E10-E13) can inform only
    diabetes: the valid diabetes Condition beside it no longer decides, the stage still does.
    Mutations in informed_fields: the diabetes test inverted or its `and`/`or` swapped."""
    invalid = {**condition("dm-bad", SCT, DIABETES, onsetDateTime="not a date"), "code": {"coding": coding}}
    assert _diabetes_and_stage_beside(invalid) == ("unknown", "IV")


@pytest.mark.parametrize("coding", [[{"system": SCT, "code": DIABETES}, {"system": SCT, "code": HYPERTENSION}], [],
                                    [{"system": ICD10, "code": "C50.911"}]])
def test_an_invalid_condition_not_only_diabetes_leaves_every_condition_field_unknown(coding: list[Any]) -> None:
    """A Condition also coded otherwise, or with no code to read, could be the cancer itself: the
    stage, diabetes and every other field a Condition informs are unknown. Mutations: "every code is
    diabetes" (`all`) read as "one code is" (`any`), and "ICD-10-CM and a diabetes prefix" read as
    "ICD-10-CM or ..." (a breast cancer coded C50.911 taken for diabetes)."""
    invalid = {**condition("dm-bad", SCT, DIABETES, onsetDateTime="not a date"), "code": {"coding": coding}}
    assert _diabetes_and_stage_beside(invalid) == ("unknown", "unknown")


def test_a_component_with_two_values_is_named_and_its_observation_skipped() -> None:
    """Two value[x] in one component are a fault of that component, named with its index; the
    Observation is skipped and what its code informs (HER2) is unknown, while ER is read. Mutations
    in choice_conflicts: the component check dropped, or `len(keys) > 1` turned into `>= 1`."""
    component = {"code": cc(LOINC, "48018-6"), "valueQuantity": {"value": 1}, "valueString": "x"}
    her2 = observation("her2", "85319-2", valueCodeableConcept=POSITIVE, component=[component])
    er = observation("er", "85337-4", valueCodeableConcept=POSITIVE)
    case = map_bundle(bundle(her2, er))
    assert (case.profile.her2_status, case.profile.er_status) == ("unknown", "positive")
    warning = next(w for w in case.mapping.warnings if w.startswith("Observation/her2 skipped"))
    assert "Observation.component[0].valueQuantity, Observation.component[0].valueString" in warning
    one_value = {k: v for k, v in component.items() if k != "valueString"}
    assert map_bundle(bundle({**her2, "component": [one_value]}, er)).profile.her2_status == "positive"


def test_an_entry_that_is_not_a_resource_is_skipped_with_a_warning_naming_where_it_sits() -> None:
    """An entry's resource that is not a JSON object has no label but its place: the warning names
    the place once and the rest is read. Mutation: the problem's element taken as the second part
    of its location (`[+1]` for `[-1]`), which a location with no resource label does not have."""
    data = bundle(observation("er", "85337-4", valueCodeableConcept=POSITIVE))
    data["entry"].append({"resource": "not an object"})
    case = map_bundle(data)
    assert case.profile.er_status == "positive"
    assert ("Bundle.entry[1].resource skipped, not valid FHIR R4 (Bundle.entry[1].resource: a resource must be a "
            "JSON object); left unknown: none of the fields igfrules reads") in case.mapping.warnings


def test_an_invalid_comorbidities_observation_leaves_diabetes_unknown_and_the_stage_read() -> None:
    """mCODE's comorbidities Observation (SNOMED CT 398192003) can record diabetes: an invalid one
    leaves it unknown beside a valid diabetes Condition. Mutation: `system == SNOMED and code ==
    COMORBIDITIES` negated on the system (the comorbidities code informing nothing)."""
    invalid = observation("c", "398192003", system=SCT, valueCodeableConcept=POSITIVE, valueString="x")
    assert _diabetes_and_stage_beside(invalid) == ("unknown", "IV")


def test_an_invalid_snomed_stage_group_observation_leaves_the_stage_unknown_and_diabetes_read() -> None:
    """Mutation: `system == SNOMED and code == COMORBIDITIES` turned into `or` (every SNOMED-coded
    Observation read as comorbidities: an invalid SNOMED stage group left diabetes unknown instead
    of the stage)."""
    invalid = observation("g", "399537006", system=SCT, valueCodeableConcept=cc(SCT, "1222769001"), valueString="x")
    assert _diabetes_and_stage_beside(invalid) == (True, "unknown")


@pytest.mark.parametrize("where", ["component", "resource"])
def test_a_bare_value_key_is_an_invalid_resource_skipped_never_a_crash(where: str) -> None:
    """`value` with no type (valueQuantity, valueString, ...) is not FHIR: the Observation is skipped
    with a warning. Mutation: the choice check's `len(k) > 5` turned into `>= 5`, which reads past
    the end of "value" (an IndexError, a traceback)."""
    if where == "component":
        bad = observation("her2", "85319-2", valueCodeableConcept=POSITIVE,
                          component=[{"code": cc(LOINC, "48018-6"), "value": 5}])
    else:
        bad = observation("her2", "85319-2", value=5)
    case = map_bundle(bundle(bad, observation("er", "85337-4", valueCodeableConcept=POSITIVE)))
    assert (case.profile.her2_status, case.profile.er_status) == ("unknown", "positive")
    assert any(w.startswith("Observation/her2 skipped") and "value: Extra inputs are not permitted" in w
               for w in case.mapping.warnings)


@pytest.mark.parametrize("kind", [None, "Observaton"])
def test_a_resource_with_no_or_an_unknown_resource_type_could_be_any_so_every_field_is_unknown(
        kind: str | None) -> None:
    er = observation("er", "85337-4", valueCodeableConcept=POSITIVE)
    odd = observation("er-2", "85337-4", "2024-02-01", valueCodeableConcept=cc(LOINC, "LA6577-6"))
    if kind is None:
        del odd["resourceType"]
    else:
        odd["resourceType"] = kind
    case = map_bundle(bundle(er, odd))
    assert case.profile.er_status == "unknown"
    source = next(f for f in case.mapping.fields if f.field == "er_status")
    assert "skipped" in source.note
    assert not any(w.startswith("None/") for w in case.mapping.warnings)


def test_an_invalid_patient_is_named_by_element_without_echoing_its_identifying_values() -> None:
    patient = {"resourceType": "Patient", "id": "p", "name": "Jane Doe", "birthDate": "1961-13-45",
               "gender": "female"}
    case = map_bundle(bundle(patient))
    warning = next(w for w in case.mapping.warnings if w.startswith("Patient/p skipped"))
    assert "Patient.name" in warning and "Patient.birthDate" in warning
    assert "Jane Doe" not in warning and "1961-13-45" not in warning
    with pytest.raises(CaseError) as caught:
        map_bundle(bundle(patient), strict=True)
    assert "Jane Doe" not in str(caught.value) and "Patient.name" in str(caught.value)


def test_a_null_resource_holds_nothing_and_leaves_every_field_as_read() -> None:
    er = observation("er", "85337-4", valueCodeableConcept=POSITIVE)
    data = bundle(er)
    data["entry"].append({"resource": None})
    assert map_bundle(data).profile.er_status == "positive"


@pytest.mark.parametrize("coding", [["85337-4"], [{"system": LOINC, "code": 85337}]], ids=["text", "number"])
def test_an_observation_whose_coding_cannot_be_read_makes_every_observation_field_unknown(coding: list[Any]) -> None:
    """A coding that is not an object, or a code that is a number, cannot say which field the
    Observation is about: ER is unknown beside a valid positive ER, with every other Observation
    field, and nothing crashes. Mutations in raw_codes: the checks joined with `and` (a text coding
    read with .get, a crash; a numeric code taken as a code nothing reads)."""
    good = observation("er-good", "85337-4", "2024-02-01", valueCodeableConcept=POSITIVE)
    bad = {"resourceType": "Observation", "id": "u", "status": "final", "code": {"coding": coding}}
    case = map_bundle(bundle(good, bad))
    assert case.profile.er_status == "unknown"
    assert "Observation/u" in case.mapping.source("serum_igf1").resources


def test_the_skip_warning_names_the_resource_once_and_then_each_element() -> None:
    """Mutation: the problem's location not split from its resource label (`split(': ', 0)`), so the
    warning named the resource twice."""
    assert ("Observation/er-bad skipped, not valid FHIR R4 (Observation.valueCodeableConcept, "
            "Observation.valueString: a choice element given 2 ways; give one); left unknown: er_status"
            ) in map_bundle(bundle(TWO_VALUES)).mapping.warnings


def _skip_warning(resource: dict[str, Any]) -> str:
    warnings = map_bundle(bundle(resource)).mapping.warnings
    return next(w for w in warnings if " skipped, not valid FHIR R4 " in w)


def test_a_stray_element_beside_a_component_value_is_named_as_itself_not_as_a_second_value() -> None:
    """Only `value` + a type name is a form of a component's value[x]: a stray element whose sixth
    letter is a capital (`extraX`) is an element FHIR does not have, never a second value.
    Mutation: the component check's `k.startswith("value") and len(k) > 5 ...` turned into `or`
    in fhir/lenient.py (every such key counted as a value form)."""
    component = {"code": cc(LOINC, "48018-6"), "valueQuantity": {"value": 1}, "extraX": 1}
    assert _skip_warning(observation("her2", "85319-2", valueCodeableConcept=POSITIVE, component=[component])) == (
        "Observation/her2 skipped, not valid FHIR R4 (Observation.component[0].extraX: Extra inputs are not "
        "permitted (got 1)); left unknown: her2_status, her2_low")


@pytest.mark.parametrize("where", ["resource", "component"])
def test_a_component_gives_its_value_one_way_by_the_same_test_as_the_resource(where: str) -> None:
    """Any key of `value` and a capital is a form of value[x], in a component as in the resource
    itself, down to the shortest (`valueX`): the warning names both forms as one choice given two
    ways. Mutation: the component check's `len(k) > 5` turned into `len(k) > 6` in fhir/lenient.py
    (a six-letter form left to the schema, named as a stray element instead)."""
    values = {"valueQuantity": {"value": 1}, "valueX": 1}
    if where == "resource":
        resource, path = observation("her2", "85319-2", **values), "Observation"
    else:
        component = {"code": cc(LOINC, "48018-6"), **values}
        resource = observation("her2", "85319-2", valueCodeableConcept=POSITIVE, component=[component])
        path = "Observation.component[0]"
    assert _skip_warning(resource) == (
        f"Observation/her2 skipped, not valid FHIR R4 ({path}.valueQuantity, {path}.valueX: a choice element "
        "given 2 ways; give one); left unknown: her2_status, her2_low")


def test_an_element_whose_name_holds_a_colon_is_named_whole_in_the_skip_warning() -> None:
    """The warning names each element at fault after the resource's label; a key that is no FHIR
    element may itself hold ": ", and is named whole. Mutation: the location split at its first
    two ": " (`split(': ', 2)`) instead of after the label, in fhir/lenient.py (`x']` named)."""
    resource = observation("er", "85337-4", valueCodeableConcept=POSITIVE, **{"note: x": 1})
    assert _skip_warning(resource) == ("Observation/er skipped, not valid FHIR R4 (Observation['note: x']: Extra "
                                       "inputs are not permitted (got 1)); left unknown: er_status")


def test_a_resource_whose_id_holds_a_colon_has_its_elements_named_whole_in_the_skip_warning() -> None:
    """The elements at fault are what follows the resource's label, whatever the label holds: an
    (invalid) id with ": " once left its tail in front of each element ("bad: Observation.id")."""
    resource = observation("er: bad", "85337-4", valueCodeableConcept=POSITIVE, valueString="positive")
    assert _skip_warning(resource) == (
        "Observation/er: bad skipped, not valid FHIR R4 (Observation.valueCodeableConcept, Observation.valueString: "
        "a choice element given 2 ways; give one; Observation.id: String should match pattern "
        "'^[A-Za-z0-9\\-.]+$' (got 'er: bad')); left unknown: er_status")
