"""Time `import_notes content/` on an empty SQLite database (target: under 2 s).

Prints the whole command's wall time (Python and Django start-up included) and the
import alone; the last line is one JSON object.
Run: .venv/bin/python bench/import_course.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "STUDYAPP_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        start = time.perf_counter()
        done = subprocess.run(
            [*manage, "import_notes", "content/"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        command_s = time.perf_counter() - start
        print(done.stdout.strip())

        # The import alone, in this process, on a second empty database.
        os.environ["STUDYAPP_DATA_DIR"] = str(Path(data_dir) / "again")
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from studyapp.courses.notes_import import import_note_files

        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        import_note_files([ROOT / "content"])
        import_s = time.perf_counter() - start

    print(f"import_notes content/ (whole command): {command_s:.2f} s (target: under 2 s)")
    print(f"import alone: {import_s:.3f} s")
    print(json.dumps({"command_s": round(command_s, 3), "import_s": round(import_s, 3)}))


if __name__ == "__main__":
    main()
