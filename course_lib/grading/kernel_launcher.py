"""Start a grading kernel under resource limits: ``python -m course_lib.grading.kernel_launcher``.

Usage: ``python -m course_lib.grading.kernel_launcher [--memory-mb N] [--file-mb N]
[--no-network] -- python -m ipykernel_launcher -f CONNECTION_FILE``.

The limits are set on this process and then it *becomes* the kernel (``exec``), so the
kernel keeps this process id and Jupyter's interrupt and kill signals reach it directly:

- ``--memory-mb``: ``RLIMIT_AS``, the address space. An allocation beyond it fails with
  ``MemoryError`` in the student's cell instead of pushing the grading machine into swap.
  TensorFlow alone reserves about 2.7 GB of address space, so keep it well above that.
- ``--file-mb``: ``RLIMIT_FSIZE``, the largest file the kernel may write.
- ``--no-network``: run the kernel in new user and network namespaces (``unshare -rn``),
  which have no network interface but loopback. The kernel must then talk to the grader over
  Unix sockets (``transport = "ipc"``), which the grading kernel manager arranges.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys


def apply_limits(memory_mb: int, file_mb: int) -> None:
    """Set the address-space and file-size limits of this process (0 leaves one unset)."""
    for limit, megabytes in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_AS, memory_mb),
                             (resource.RLIMIT_FSIZE, file_mb)):
        if megabytes > 0 or limit == resource.RLIMIT_CORE:
            try:
                resource.setrlimit(limit, (megabytes << 20, megabytes << 20))
            except (ValueError, OSError) as err:  # e.g. macOS refuses RLIMIT_AS
                print(f"kernel_launcher: could not set limit {limit}: {err}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space cap (0: none)")
    parser.add_argument("--file-mb", type=int, default=0, help="file-size cap (0: none)")
    parser.add_argument("--no-network", action="store_true", help="run in a network namespace")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the kernel command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the kernel command after --")
    apply_limits(args.memory_mb, args.file_mb)
    if args.no_network:
        command = [shutil.which("unshare") or "unshare", "--user", "--map-root-user", "--net",
                   "--", *command]
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
