"""``python -m course_lib.cli``: the same as the ``course`` script."""

from course_lib.cli import main

raise SystemExit(main())
