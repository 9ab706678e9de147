"""Hypothesis strategies for the texts of generated payloads: any printable text, one line or a
few."""

from hypothesis import strategies as st

line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
paragraph = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n"),
    min_size=1,
    max_size=40,
)

# Image addresses and links as their fields accept them (campaigns/forms/links.py): a whole web
# address with any path, and an app's deep link.
web_address = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["https", "http"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,12}\.(com|io|example)", fullmatch=True),
    line,
)
app_link = st.builds(
    "{}://{}".format,
    st.from_regex(r"[a-z][a-z0-9+.-]{0,10}", fullmatch=True).filter(
        lambda scheme: scheme not in ("http", "https", "javascript", "data", "vbscript")
    ),
    line,
)
link_url = web_address | app_link
