"""Tooling for the people who work on Campaign Studio, apart from the product: the demo data
(`manage.py demo`), the benchmark (`manage.py bench`) and the load test (`manage.py loadtest`).

The product (`campaigns`, `sandbox`, `config`) never imports it; it imports them.
"""
