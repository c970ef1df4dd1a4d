"""Every command in the README's ``bash`` blocks, run as written, in order, against ``examples/``.

A new user follows the README to the letter, so the README is tested the same way: each
line of each fenced ``bash``/``sh`` block (and each ``$ `` line of a ``console`` block) is one command (a trailing ``\\`` continues it, ``#``
starts a comment), run by bash in a fresh folder that holds a copy of ``examples/``,
``models/opus-mt-en-ar`` and ``models/opus-mt-en-fr`` (the tiny random-weight models, in
the place the README tells users to put the real ones) and a ``.venv/bin`` whose
``translate-pipe`` and ``python`` are this interpreter. Commands run in README order,
since later ones read what earlier ones wrote (``export`` after ``run``), and each must
exit 0. ``export NAME=VALUE`` lines set the variable for the commands after them.

A command is skipped only if it matches a rule in :data:`SKIPS`, each with its reason, so
a section added for a new command (``extract``, ``pair``, ``import``, an XLIFF export) is
run as soon as it is in the README. ``serve`` (or any command listed in
:data:`LONG_RUNNING`) is started, must answer HTTP within a minute, and is then stopped.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

#: (pattern searched in the command, why it cannot run in the tests). Keep each reason true.
SKIPS: list[tuple[str, str]] = [
    (r"^python3 -m venv ", "the set-up line: .ci/run runs it, read from this README, before the tests"),
    (r"-m pytest\b", "the test command: it is what runs this test (.ci/run reads it from this README)"),
    (r"^hf download ", "downloads from the model hub; tests have no network and use tiny local models instead"),
    (r"\bpip install\b", "installs packages from an index; tests do not change the environment they run in"),
    (r"postgresql://[^ ]*@dbhost|^createdb ",
     "needs a PostgreSQL server at dbhost; tests/test_postgres.py runs these commands on a throwaway server"),
    (r"^ray start|--engine ray", "needs a Ray cluster on several machines; tests/test_ray.py runs the Ray "
                                 "engine on a local cluster"),
]

#: (pattern, text its stderr must hold): what a command must have done, beyond exiting 0.
EXPECT: list[tuple[str, str]] = [
    # The main job reads all three examples, the saved web page included, and translates both languages.
    (r"^\.venv/bin/translate-pipe run examples/releases/ --to ar,fr$", "run 1: 3 releases (3 new)"),
    (r"--reference fr=examples/references/fr/ --reference ar=examples/references/ar/",
     "en→fr references: 2 matched"),
]

#: Commands that serve until stopped: started, checked for an HTTP answer, stopped.
LONG_RUNNING = re.compile(r"translate-pipe serve\b")
COMMAND_TIMEOUT = 300


@dataclass(frozen=True)
class ReadmeCommand:
    line: int  # where it starts in README.md
    text: str

    @property
    def skip_reason(self) -> str | None:
        return next((reason for pattern, reason in SKIPS if re.search(pattern, self.text)), None)


#: Fenced blocks whose lines are commands; in a ``console`` block only lines after a ``$ `` prompt are.
SHELL_BLOCKS = {"bash", "sh", "shell"}
CONSOLE_BLOCKS = {"console", "shell-session"}


def readme_commands(text: str) -> list[ReadmeCommand]:
    """The commands of every fenced shell block, comments and continuations resolved.

    Blocks marked ``bash``, ``sh`` or ``shell`` are commands line by line; in ``console``
    blocks the lines after a ``$ `` prompt are (the rest is output); other blocks (no
    language, ``json``, ``yaml``) are examples of output or files and are not run.
    """
    commands: list[ReadmeCommand] = []
    kind: str | None = None
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            language = stripped[3:].strip()
            if kind is not None:
                kind = None
            else:
                kind = "shell" if language in SHELL_BLOCKS else "console" if language in CONSOLE_BLOCKS else ""
            continue
        if not kind:
            continue
        if kind == "console" and not pending:
            if not raw.startswith("$ "):
                continue
            raw = raw[2:]
        code = _strip_comment(raw).rstrip()
        if not pending:
            start = number
        if code.endswith("\\"):
            pending.append(code[:-1].strip())
            continue
        pending.append(code.strip())
        command = " ".join(part for part in pending if part)
        pending = []
        if command:
            commands.append(ReadmeCommand(start, command))
    return commands


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` inside quotes stays)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def test_the_top_block_has_the_three_commands() -> None:
    set_up, main_job, tests = COMMANDS[:3]
    assert set_up.text == 'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]"'
    assert main_job.text == ".venv/bin/translate-pipe run examples/releases/ --to ar,fr"
    assert tests.text == ".venv/bin/python -m pytest -q"
    # .ci/run reads those two lines from the README with its readme_line function: the same lines.
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    (definition,) = [line for line in ci.splitlines() if line.startswith("readme_line() ")]
    assert 'setup=$(readme_line set-up)' in ci and 'tests=$(readme_line "the tests")' in ci
    found = subprocess.run(["bash", "-c", f'{definition}\nreadme_line set-up; readme_line "the tests"'], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    assert found == [set_up.text, tests.text]


def test_the_extractor_reads_blocks_comments_and_continuations() -> None:
    text = "\n".join([
        "```bash", "a --x 1   # first", "# a comment line", "b \\", "  --y 2", "echo '#not a comment'", "```",
        "```", "c  # not bash", "```", "```json", "{}", "```",
        "```console", "$ d --z 3", "output line", "$ e \\", "  --w", "more output", "```", "```sh", "f", "```",
    ])
    assert [(c.line, c.text) for c in readme_commands(text)] == [
        (2, "a --x 1"), (4, "b --y 2"), (6, "echo '#not a comment'"), (15, "d --z 3"), (17, "e --w"), (22, "f")]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, tiny_models: dict[str, Path]) -> Iterator[tuple[Path, dict]]:
    """A folder shaped like a fresh clone after set-up, with the tiny models where the README puts real ones."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "examples", root / "examples")
    models = root / "models"
    models.mkdir()
    for path in tiny_models.values():
        (models / path.name).symlink_to(path, target_is_directory=True)
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, target in (("translate-pipe", f'"{sys.executable}" -m translate_pipe.cli'),
                         ("python", f'"{sys.executable}"')):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec {target} "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    # PATH too: sections that write a bare `translate-pipe ...` (an activated venv) run the same program.
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRANSLATE_PIPE_MODELS": str(models), "HF_HUB_OFFLINE": "1",
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("TRANSLATE_PIPE_PROGRESS_DELAY", None)
    yield root, env


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _run_server(command: str, cwd: Path, env: dict) -> None:
    port = int(m.group(1)) if (m := re.search(r"--port[ =](\d+)", command)) else 8000
    if _port_in_use(port):
        pytest.skip(f"port {port} is in use by another program, so `{command}` cannot listen there")
    process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/releases", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"`{command}` exited {process.returncode}: {process.stderr.read().decode()[-2000:]}")
                assert time.monotonic() < deadline, f"`{command}` did not answer on port {port} within 60 s"
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("command", COMMANDS, ids=[f"README.md:{c.line}" for c in COMMANDS])
def test_readme_command(command: ReadmeCommand, workspace: tuple[Path, dict]) -> None:
    root, env = workspace
    if command.skip_reason:
        pytest.skip(f"{command.text[:60]}: {command.skip_reason}")
    if m := re.fullmatch(r"export (\w+)=(\S+)", command.text):
        value = shlex.split(m.group(2))[0]
        env[m.group(1)] = str(root / value) if (root / value).exists() else value
        return
    if LONG_RUNNING.search(command.text):
        _run_server(command.text, root, env)
        return
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command.text], cwd=root, env=env,
                            capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    assert result.returncode == 0, (
        f"README.md:{command.line}: `{command.text}` exited {result.returncode}\n{result.stderr[-3000:]}")
    assert "Traceback" not in result.stderr
    for pattern, expected in EXPECT:
        if re.search(pattern, command.text):
            assert expected in result.stderr, f"README.md:{command.line}: `{command.text}`:\n{result.stderr[-3000:]}"
