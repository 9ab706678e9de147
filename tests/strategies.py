"""Hypothesis strategies for the texts of generated payloads: any printable text, one line or a
few."""

from hypothesis import strategies as st

line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
paragraph = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n"),
    min_size=1,
    max_size=40,
)
