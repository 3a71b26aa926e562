"""What is mutated, by which operators, and the tests that check each module.

MODULES lists each module where a silent error harms a patient or loses data (issue 23) with its
relevant tests, fastest first: the tests measured under coverage (choose.py), and the whole list a
mutant runs when its line runs at import. A test that checks a module but is not listed here is
never measured, so it can kill none of that module's mutants: list new tests' files or folders.
"""

from __future__ import annotations

# module (under src/igfrules/) -> the tests that check it, fastest first
MODULES: dict[str, list[str]] = {
    "model/conditions.py": ["tests/model/test_condition_language_refuses_what_it_cannot_mean.py",
                            "tests/engine/test_conditions.py", "tests/evaluation/test_review_regressions.py",
                            "tests/engine/test_engine.py", "tests/knowledge_base/test_cases.py",
                            "tests/properties/test_engine_agreement.py"],
    "engine/compiler.py": ["tests/engine/test_wide_conditions_are_split_where_durable_needs_it.py",
                           "tests/engine/test_conditions.py", "tests/engine/test_engine.py",
                           "tests/engine/test_rule_count_limits.py", "tests/knowledge_base/test_cases.py",
                           "tests/properties/test_engine_agreement.py"],
    "evaluation/evaluate.py": ["tests/evaluation/test_a_bug_during_evaluation_is_an_evaluation_error.py",
                               "tests/knowledge_base/test_cases.py", "tests/knowledge_base/test_trial_fit.py",
                               "tests/evaluation", "tests/model/test_verdict.py",
                               "tests/properties/test_lean_reports_equal_plain_reports.py"],
    "model/verdict.py": ["tests/model/test_verdict_names_every_positive_clinical_result.py",
                         "tests/model/test_verdict.py", "tests/knowledge_base/test_cases.py"],
    "fhir/tumour.py": ["tests/fhir/test_receptor_values_read_from_text_and_quantities.py",
                       "tests/fhir/test_tumour_readers_follow_their_stated_policies.py",
                       "tests/fhir/test_tumour_fields_from_fhir.py", "tests/fhir"],
    "fhir/therapies.py": ["tests/fhir/test_therapy_readers_look_past_what_does_not_count.py",
                          "tests/fhir/test_therapies_and_history_from_fhir.py", "tests/fhir"],
    "fhir/patient_facts.py": ["tests/fhir/test_patient_facts_read_as_recorded.py", "tests/fhir"],
    "fhir/profile.py": ["tests/fhir/test_a_record_is_about_one_patient_and_its_cancer.py", "tests/fhir"],
    "fhir/breast.py": ["tests/fhir/test_the_record_must_be_breast_cancer.py", "tests/fhir"],
    "fhir/lenient.py": ["tests/fhir/test_lenient_reading_leaves_what_an_invalid_resource_could_say_unknown.py",
                        "tests/fhir/test_invalid_bundles_are_clear_errors.py", "tests/fhir"],
    "fhir/staging.py": ["tests/fhir/test_stage_and_markers_as_mcode_4_codes_them.py",
                        "tests/fhir/test_tumour_readers_follow_their_stated_policies.py", "tests/fhir"],
    "fhir/receptors.py": ["tests/fhir/test_receptor_values_read_from_text_and_quantities.py",
                          "tests/fhir/test_unknown_is_never_a_value.py", "tests/fhir"],
    "fhir/findings.py": ["tests/fhir/test_unknown_is_never_a_value.py", "tests/fhir"],
    "fhir/genes.py": ["tests/fhir/test_genes_unknown.py", "tests/fhir"],
    "fhir/extent.py": ["tests/fhir/test_profile_2_fields_from_fhir.py", "tests/fhir"],
    "cohort/output.py": ["tests/cohort/test_batch_output_stops_on_a_line_boundary.py",
                         "tests/cohort/test_batch_never_loses_a_case.py", "tests/cohort/test_batch_output_safety.py",
                         "tests/cohort/test_batch.py", "tests/cohort"],
    "knowledge/cache.py": ["tests/knowledge/test_cache_key_depends_on_everything_that_makes_an_entry.py",
                           "tests/knowledge/test_the_cache_only_ever_saves_time.py",
                           "tests/knowledge/test_knowledge_base_cache.py"],
    "service/app.py": ["tests/service"],
    "service/prefetch.py": ["tests/service/test_prefetch_keys_read_as_cds_hooks_defines_them.py", "tests/service"],
    "service/auth/checks.py": ["tests/service/test_client_authentication_time_checks_hold_at_their_edges.py",
                               "tests/service/test_client_authentication_names_the_check_a_bad_token_fails.py",
                               "tests/service/test_only_a_cors_preflight_passes_client_authentication_without_a_token.py",
                               "tests/service/test_client_authentication_limits_hold_at_their_edges.py",
                               "tests/service/test_client_authentication_over_http.py",
                               "tests/service/test_jwk_sets_are_fetched_with_limits.py",
                               "tests/service/test_trusted_issuers_file.py"],
}

KEPT_OPERATORS = [
    "core/ReplaceComparisonOperator_Eq_NotEq", "core/ReplaceComparisonOperator_NotEq_Eq",
    "core/ReplaceComparisonOperator_Lt_LtE", "core/ReplaceComparisonOperator_LtE_Lt",
    "core/ReplaceComparisonOperator_Gt_GtE", "core/ReplaceComparisonOperator_GtE_Gt",
    "core/ReplaceComparisonOperator_Lt_GtE", "core/ReplaceComparisonOperator_GtE_Lt",
    "core/ReplaceComparisonOperator_Gt_LtE", "core/ReplaceComparisonOperator_LtE_Gt",
    "core/ReplaceComparisonOperator_Is_IsNot", "core/ReplaceComparisonOperator_IsNot_Is",
    "core/ReplaceBinaryOperator_Add_Sub", "core/ReplaceBinaryOperator_Sub_Add",
    "core/ReplaceUnaryOperator_USub_UAdd", "core/ReplaceUnaryOperator_Delete_Not",
    "core/AddNot", "core/ReplaceTrueWithFalse", "core/ReplaceFalseWithTrue",
    "core/ReplaceAndWithOr", "core/ReplaceOrWithAnd",
    "core/ReplaceBreakWithContinue", "core/ReplaceContinueWithBreak",
    "core/ExceptionReplacer", "core/NumberReplacer", "core/ZeroIterationForLoop",
]
