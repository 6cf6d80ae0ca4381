"""The built-in triage lexicon: one TOML file per language (see deskui/triage/lexicon.py)."""
