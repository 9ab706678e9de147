"""The team library: message templates and saved audiences (`models.library`).

`parts.py` reads and lays the parts of a body that the library keeps (pure), `services.py` writes
(save from a draft, edit, restore, archive, apply to a draft, start a campaign), `selectors.py`
reads (the lists, where used, newer versions), `transfer.py` imports and exports JSON files.
"""
