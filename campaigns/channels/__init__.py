"""One module per channel; `registry` is the one place other code asks about channels."""
