"""Turning a Report (or the knowledge base) into what people and machines read.

brief_rows.py (the brief's rows, computed once) and brief.py (the tumour-board brief in text and Markdown), cards.py
(the full evidence cards in text and Markdown), html.py and html_cards.py (the page), labels.py
(words for people: field labels, level and direction words, links), text.py (text and Markdown
entry points with `detail`), jsonline.py (batch lines), prose.py and kbdocs.py (conditions and the
knowledge base in words), schema.py (the JSON Schemas of a case, a report and a line), registry.py (formats by
name).

May import: model, knowledge (its models and trial status words), errors.
Never imports: engine, inputs, fhir, evaluation, cohort, service, cli
"""
