from __future__ import annotations

import pytest

from igfrules.model.vocabulary import UnknownAgent, vocabulary

# The curators' synonyms table, row by row: every spelling -> (agent, class).
REVIEW_NOTES_TABLE = [
    (["ganitumab", "AMG 479", "AMG-479"], "ganitumab", "igf1r_antibody"),
    (["cixutumumab", "IMC-A12"], "cixutumumab", "igf1r_antibody"),
    (["dalotuzumab", "MK-0646"], "dalotuzumab", "igf1r_antibody"),
    (["xentuzumab", "BI 836845"], "xentuzumab", "igf_ligand_antibody"),
    (["dusigitumab", "MEDI-573"], "dusigitumab", "igf_ligand_antibody"),
    (["picropodophyllin", "AXL1717", "PPP"], "picropodophyllin", "igf1r_pathway_modulator"),
    (["NVP-AEW541"], "NVP-AEW541", "igf1r_tki"),
    (["NVP-ADW742", "NVD-ADW742"], "NVP-ADW742", "igf1r_tki"),
    (["ridaforolimus", "MK-8669", "AP23573", "deforolimus"], "ridaforolimus", "mtor_inhibitor"),
    (["everolimus", "RAD001", "Afinitor"], "everolimus", "mtor_inhibitor"),
    (["alpelisib", "BYL719", "Piqray"], "alpelisib", "pi3k_inhibitor"),
    (["panitumumab", "Vectibix"], "panitumumab", "anti_egfr_antibody"),
    (["tamoxifen", "Nolvadex", "Soltamox"], "tamoxifen", "serm"),
    (["fulvestrant", "Faslodex"], "fulvestrant", "serd"),
    (["letrozole", "Femara"], "letrozole", "nonsteroidal_aromatase_inhibitor"),
    (["anastrozole", "Arimidex"], "anastrozole", "nonsteroidal_aromatase_inhibitor"),
    (["exemestane", "Aromasin"], "exemestane", "steroidal_aromatase_inhibitor"),
    (["palbociclib", "Ibrance"], "palbociclib", "cdk46_inhibitor"),
    (["ribociclib", "Kisqali"], "ribociclib", "cdk46_inhibitor"),
    (["abemaciclib", "Verzenio"], "abemaciclib", "cdk46_inhibitor"),
    (["trastuzumab", "Herceptin"], "trastuzumab", "anti_her2_antibody"),
    (["pertuzumab", "Perjeta"], "pertuzumab", "anti_her2_antibody"),
    (["trastuzumab emtansine", "T-DM1", "Kadcyla"], "trastuzumab emtansine", "anti_her2_adc"),
    (["lapatinib", "Tykerb", "Tyverb", "GW572016"], "lapatinib", "her2_tki"),
    (["doxorubicin", "Adriamycin"], "doxorubicin", "anthracycline"),
    (["paclitaxel", "Taxol", "nab-paclitaxel", "Abraxane"], "paclitaxel", "taxane"),
    (["capecitabine", "Xeloda"], "capecitabine", "fluoropyrimidine"),
]


@pytest.mark.parametrize(("spellings", "agent", "drug_class"), REVIEW_NOTES_TABLE)
def test_review_notes_synonyms(spellings: list[str], agent: str, drug_class: str) -> None:
    for spelling in spellings:
        resolved = vocabulary().resolve(spelling)
        assert (resolved.name, resolved.drug_class) == (agent, drug_class), spelling


def test_every_spelling_names_one_agent() -> None:
    vocab = vocabulary()
    for agent in vocab.agents.values():
        for spelling in (agent.name, *agent.synonyms):
            assert vocab.resolve(spelling).name == agent.name


def test_class_tree() -> None:
    vocab = vocabulary()
    assert vocab.classes["steroidal_aromatase_inhibitor"].ancestors == (
        "steroidal_aromatase_inhibitor", "aromatase_inhibitor", "endocrine_therapy", "systemic_therapy")
    assert "tamoxifen" in vocab.agents_in("endocrine_therapy")
    # Every class is a systemic therapy: "progressed on systemic therapy" tests one class.
    assert set(vocab.agents_in("systemic_therapy")) == set(vocab.agents)
    assert vocab.agents_in("igf_ligand_antibody") == ["dusigitumab", "xentuzumab"]


def test_every_agent_has_a_known_class() -> None:
    vocab = vocabulary()
    assert all(a.drug_class in vocab.classes for a in vocab.agents.values())


def test_unknown_agent_suggests() -> None:
    with pytest.raises(UnknownAgent) as caught:
        vocabulary().resolve("everolimu")
    assert caught.value.suggestions[0] == "everolimus"
