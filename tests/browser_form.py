"""The form serializer moved into the app (campaigns/bench/formdata.py), where the benchmark uses
it too; kept here so that test modules importing it from tests/ still work."""

from campaigns.bench.formdata import submitted_data

__all__ = ["submitted_data"]
