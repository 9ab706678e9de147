"""`manage.py bench`: the app's figures on this machine, each beside a reference measured in the
same run, so that a figure reads as a ratio on a noisy machine.

- `scratch`: the throwaway environment (temp dir, SQLite file, static files, gunicorn server);
- `run`: the measurements in order, each module measuring one area (`web`, `audience`,
  `identity_lists`, `payload_core`), results as `report.Row`s;
- `report`: the table, the JSON and the targets;
- `formdata`: what a browser posts for a rendered form (shared with the tests).

Nothing here is imported by the app itself.
"""
