"""Drafts and their review before publication, and the kinds editors may propose besides cases.

Parts: `drafts` (the draft store in instance/drafts/, its states, four eyes, publishing a case draft
through `CaseEditor.save`), `approval` (the approver as PROV-O) and `municipality` (new gemeenten from
the shipped CBS list, published through the same lock and gate). Part of the editing package: may import
what editing may.
"""
