"""Guards for running untrusted notebooks under nbgrader: limits, timeouts, dead kernels.

``nbgrader_config.py`` puts :class:`GuardedExecute` in place of nbgrader's ``Execute``, so
one student's notebook can hurt only its own grade:

- each cell gets ``Execute.timeout`` seconds; then the kernel is interrupted, the cell gets
  a ``CellTimeoutError`` that says so, and the next cells still run;
- a kernel that dies (``exit()``, ``os._exit``, a signal, the memory cap) fails its cell with
  ``KernelDied``; the cells after it are marked ``NotRun`` (their state is gone) and the
  notebook is still graded, so the parts finished before keep their points;
- output beyond ``max_output_chars`` per cell is dropped while it arrives, so a student who
  prints megabytes cannot bloat the grader's memory, the gradebook or the feedback;
- the kernel starts through :mod:`course_lib.grading.kernel_launcher` with an address-space
  cap, a file-size cap and, where unprivileged namespaces work, no network.

Settings come from the environment (the grading commands set them) or nbgrader config:
``COURSE_GRADING_MEMORY_MB`` (default 6144), ``COURSE_GRADING_FILE_MB`` (1024),
``COURSE_GRADING_NETWORK`` (``off``: isolate when possible, the default; ``on``: leave it).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, default

#: Error names this module writes into cells; the grading report turns them into notes.
TIMEOUT, KERNEL_DIED, NOT_RUN, OUTPUT_CUT = "CellTimeoutError", "KernelDied", "NotRun", \
    "[grader] output cut"


@functools.lru_cache(maxsize=1)
def network_isolation_available() -> bool:
    """Whether ``unshare -rn`` works here (unprivileged user + network namespaces)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        return subprocess.run([unshare, "--user", "--map-root-user", "--net", "true"],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


class LimitedKernelManager(AsyncKernelManager):
    """Kernel manager that launches the kernel under the limits of ``kernel_launcher``."""

    memory_limit_mb = Integer(help="address-space cap of the kernel in MB (0: none)").tag(
        config=True)
    file_limit_mb = Integer(help="largest file the kernel may write, MB (0: none)").tag(
        config=True)
    isolate_network = Bool(help="run the kernel without network when the OS allows it").tag(
        config=True)

    @default("memory_limit_mb")
    def _memory_default(self) -> int:
        return int(os.environ.get("COURSE_GRADING_MEMORY_MB", "6144"))

    @default("file_limit_mb")
    def _file_default(self) -> int:
        return int(os.environ.get("COURSE_GRADING_FILE_MB", "1024"))

    @default("isolate_network")
    def _network_default(self) -> bool:
        return os.environ.get("COURSE_GRADING_NETWORK", "off").lower() == "off"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.no_network = self.isolate_network and network_isolation_available()
        if self.no_network:
            # A new network namespace has its own loopback: talk over Unix sockets instead.
            self.transport = "ipc"
            self.ip = os.path.join(tempfile.gettempdir(), f"course-kernel-{uuid.uuid4().hex[:12]}")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        if os.name != "posix":  # no setrlimit: run the kernel as it is
            return command
        launcher = [sys.executable, "-m", "course_lib.grading.kernel_launcher",
                    "--memory-mb", str(self.memory_limit_mb), "--file-mb", str(self.file_limit_mb)]
        if self.no_network:
            launcher.append("--no-network")
        return [*launcher, "--", *command]


def _error(ename: str, message: str):
    return new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` that survives dead kernels, endless loops and floods of output."""

    max_output_chars = Integer(
        100_000, help="characters of output kept per cell; the rest is dropped").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", LimitedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, km=None):
        self._lost = ""  # why the kernel can run nothing more, once it cannot
        self._output_left = self.max_output_chars
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if self._lost:
            cell.outputs = [_error(NOT_RUN, f"not run: {self._lost}")]
            return cell, resources
        self._output_left = self.max_output_chars
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._lost = f"the kernel died in cell {index + 1}"
            cell.outputs.append(_error(KERNEL_DIED, (
                "the kernel died while running this cell (exit(), os._exit, a kill signal or "
                "the memory limit); the cells after it were not run")))
        except CellTimeoutError:
            self._lost = f"the kernel stopped answering in cell {index + 1}"
            cell.outputs.append(_error(TIMEOUT, (
                f"this cell ran past the {self.timeout} s limit and ignored the interrupt; "
                "the cells after it were not run")))
        return cell, resources

    def on_cell_executed(self, **kwargs):
        """nbgrader's hook, plus: a cell that called ``exit()`` ends the kernel's life."""
        super().on_cell_executed(**kwargs)
        payload = kwargs["execute_reply"]["content"].get("payload", [])
        if any(item.get("source") == "ask_exit" for item in payload):
            self._lost = f"exit() was called in cell {kwargs['cell_index'] + 1}"
            kwargs["cell"].outputs.append(_error(KERNEL_DIED, (
                "this cell called exit(), which stops the kernel; the cells after it "
                "were not run")))

    async def _async_handle_timeout(self, timeout, cell=None):
        reply = await super()._async_handle_timeout(timeout, cell)
        if reply is not None:
            message = (f"this cell ran longer than the {timeout} s grading limit and was "
                       "stopped (an endless loop, or more work than the fast profile allows)")
            reply["content"] = {**reply["content"], "ename": TIMEOUT, "evalue": message,
                                "traceback": [f"{TIMEOUT}: {message}"]}
        return reply

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``max_output_chars`` of a cell's output, dropping the rest on arrival."""
        content = msg.get("content", {})
        if msg.get("msg_type") in ("stream", "display_data", "execute_result", "error"):
            size = len(content.get("text", "")) + sum(
                len(str(v)) for v in content.get("data", {}).values()) + sum(
                len(line) for line in content.get("traceback", []))
            if size > self._output_left and msg["msg_type"] != "error":
                if self._output_left >= 0:
                    if msg["msg_type"] == "stream" and self._output_left > 0:  # keep the head
                        head = {**content, "text": content.get("text", "")[:self._output_left]}
                        super().output(outs, {**msg, "content": head}, display_id, cell_index)
                    self._output_left = -1
                    outs.append(new_output("stream", name="stdout", text=(
                        f"\n{OUTPUT_CUT}: this cell printed more than "
                        f"{self.max_output_chars:,} characters; the rest was dropped\n")))
                return None
            self._output_left -= size
        return super().output(outs, msg, display_id, cell_index)
