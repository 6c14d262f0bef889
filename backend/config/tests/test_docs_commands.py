"""Every command the docs show exists, and accepts the flags it is shown with.

The commands are read from the fenced shell blocks (``sh``, ``bash``, ``shell``, ``console``;
in ``console`` blocks only the ``$ `` lines) of ``README.md`` and ``docs/**/*.md``. A block is
split into simple commands (backslash continuations joined, ``&&``, ``||``, ``;`` and ``|``
separate, ``# comments`` dropped); it starts in the repository root and follows its ``cd``
lines. Each command is checked by its program, without running it:

* ``python -m cutover ...`` / ``python -m verification ...`` (and ``backend/scripts/*.py``, the
  plan-named shims into ``cutover``): the Typer app's click command is looked up and the
  arguments go through its parser: unknown subcommand or option, a missing value, a value of
  the wrong type, an unexpected argument or a missing required option (one without an
  environment variable) fails. ``cutover`` must run from ``backend/`` (or with ``backend`` on
  ``PYTHONPATH``), ``verification`` from the root.
* ``python manage.py <command> ...``: the command is one of Django's ``get_commands()`` and its
  own argument parser accepts the arguments; ``manage.py`` must exist where the block is.
* ``gunicorn``, ``daphne``, ``celery`` (bare or ``python -m``): their own parsers (gunicorn's
  settings parser, daphne's argparse, celery's click commands) accept the arguments.
* ``bin/*``: the script exists and is executable; ``bin/rehearse``'s flags go through
  ``verification rehearse``, ``bin/test -e`` names tox environments that exist, ``bin/serve``
  takes none.
* ``pg_restore``, ``pg_dump``, ``psql``: every flag appears in the tool's own ``--help``.
* ``npm``: run in ``client/``; ``npm run <script>`` and ``npm test`` name scripts of its
  ``package.json``.
* ``export``, ``echo``, ``mkdir``, ``set``: shell housekeeping, accepted as they are.

Anything else fails: a runbook shows only commands this file can check; a step no test can
exercise (a click in the Render dashboard) is written as prose, not as a code block.

Beside that: the migration runbook has its ten steps and every step (there and in the rollback
procedure) names at least one checked command; the rollback triggers in the docs are the numbers
of ``verification/thresholds.py``; links between the docs resolve.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import re
import shlex
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
BACKEND = REPO_ROOT / "backend"
CLIENT = REPO_ROOT / "client"
DOCS = REPO_ROOT / "docs"

SHELL_LANGS = {"sh", "bash", "shell", "console", "shell-session"}
SEPARATORS = {"&&", "||", ";", "|", "&"}
REDIRECTS = {">", ">>", "<", ">&", "&>", "<<"}
HOUSEKEEPING = {"export", "echo", "mkdir", "set"}
PYTHON = re.compile(r"(^|/)python(3(\.\d+)?)?$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<lang>[\w+-]*)")


def doc_files() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def rel(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


# --- reading the docs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    lines: tuple[str, ...]


@dataclass
class DocCommand:
    path: Path
    line: int
    text: str
    argv: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{rel(self.path)}:{self.line}: {self.text}"


def fenced_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence = opening["fence"]
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            body.append(lines[end])
            end += 1
        blocks.append(Block(path, index + 1, opening["lang"].lower(), tuple(body)))
        index = end + 1
    return blocks


def logical_lines(block: Block) -> Iterator[tuple[int, str]]:
    """(line number, command text): continuations joined; console blocks: `$ ` lines only."""
    pending: list[str] = []
    start = 0
    for offset, raw in enumerate(block.lines, start=block.line + 1):
        line = raw.strip()
        if not pending:
            if block.lang == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
            start = offset
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def split_commands(text: str) -> list[list[str]]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = [[]]
    skip_next = False
    for token in lexer:
        if skip_next:
            skip_next = False
            continue
        if token in SEPARATORS:
            commands.append([])
        elif token in REDIRECTS:
            skip_next = True
        elif token in {"(", ")", "$("} or token.startswith("$("):
            raise ValueError(f"subshells are not checkable; spell the command out: {text}")
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def documented_commands() -> list[DocCommand]:
    found: list[DocCommand] = []
    for path in doc_files():
        for block in fenced_blocks(path):
            if block.lang not in SHELL_LANGS:
                continue
            cwd = REPO_ROOT
            for line, text in logical_lines(block):
                for argv in split_commands(text):
                    env: dict[str, str] = {}
                    while argv and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0]):
                        name, _, value = argv.pop(0).partition("=")
                        env[name] = value
                    if not argv:
                        continue
                    command = DocCommand(path, line, shlex.join(argv), argv, cwd, env)
                    found.append(command)
                    if argv[0] == "cd" and len(argv) == 2:
                        cwd = (cwd / argv[1]).resolve()
    return found


# --- checking one command ---------------------------------------------------------------------


class Problem(AssertionError):
    """A documented command that does not exist or does not accept its arguments."""


def _typer_root(module: str) -> object:
    import importlib

    import typer

    return typer.main.get_command(importlib.import_module(module).app)


def _remaining(ctx: object) -> list[str]:
    protected = getattr(ctx, "_protected_args", None) or getattr(ctx, "protected_args", None)
    return [*(protected or []), *getattr(ctx, "args", [])]


@contextlib.contextmanager
def _placeholders_for_env_options(command: object) -> Iterator[None]:
    """A required option that may come from the environment (--source from NODEJS_DATABASE_URL)
    is satisfied for the parse, as the operator's environment would satisfy it."""
    added = []
    for param in getattr(command, "params", []):
        envvars = param.envvar if isinstance(param.envvar, list | tuple) else [param.envvar]
        for name in envvars:
            if name and not os.environ.get(name):
                os.environ[name] = "from-the-environment"
                added.append(name)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def check_typer(module: str, args: list[str], name: str) -> None:
    """Parse `args` fully with one of our Typer apps (types, required options, extra
    arguments); nothing is run. A group recurses into its subcommand."""
    import typer
    from typer._click import exceptions as typer_click

    command = _typer_root(module)
    parent = None
    args = list(args)
    while True:
        try:
            with (
                _placeholders_for_env_options(command),
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                ctx = command.make_context(name, list(args), parent=parent)
        except typer.Exit:
            return  # --help
        except typer_click.ClickException as exc:
            raise Problem(f"{name}: {exc.format_message()}") from None
        if not hasattr(command, "commands"):
            return
        rest = _remaining(ctx)
        if not rest:
            raise Problem(f"{name}: no subcommand (one of {', '.join(sorted(command.commands))})")
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            known = ", ".join(sorted(command.commands))
            raise Problem(f"{name}: no subcommand {rest[0]!r} (there are {known})")
        command, parent, name, args = sub, ctx, f"{name} {rest[0]}", rest[1:]


def check_click(command: click.Command, args: list[str], name: str) -> None:
    """Parse `args` with a click command's own parser without running its callbacks (celery's
    need a loaded app), convert each value by its type, then recurse into a group's
    subcommand."""
    ctx = click.Context(command, info_name=name)
    try:
        opts, rest, order = command.make_parser(ctx).parse_args(list(args))
        for param in order:
            value = opts.get(param.name or "")
            if value is not None and not str(value).startswith("$"):
                param.type_cast_value(ctx, value)
    except click.UsageError as exc:
        raise Problem(f"{name}: {exc.format_message()}") from None
    if "help" in opts:
        return
    if isinstance(command, click.Group):
        if not rest or rest[0] not in command.commands:
            raise Problem(
                f"{name}: no subcommand {rest[:1]} (there are {sorted(command.commands)})"
            )
        check_click(command.commands[rest[0]], rest[1:], f"{name} {rest[0]}")
    elif rest:
        raise Problem(f"{name}: unexpected arguments {rest}")


def check_argparse(parser: argparse.ArgumentParser, args: list[str], name: str) -> None:
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            parser.parse_args(args)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise Problem(f"{name}: {stderr.getvalue().strip().splitlines()[-1]}") from None


def check_manage(args: list[str]) -> None:
    from django.core.management import get_commands, load_command_class
    from django.core.management.base import BaseCommand, CommandError

    if not args:
        raise Problem("manage.py without a command")
    name, rest = args[0], args[1:]
    commands = get_commands()
    if name not in commands:
        raise Problem(f"manage.py has no command {name!r}")
    app = commands[name]
    command = app if isinstance(app, BaseCommand) else load_command_class(app, name)
    parser = command.create_parser("manage.py", name)
    try:
        check_argparse(parser, rest, f"manage.py {name}")
    except CommandError as exc:
        raise Problem(f"manage.py {name}: {exc}") from None


def check_gunicorn(args: list[str]) -> None:
    from gunicorn.config import Config

    parser = Config(usage="%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").parser()
    check_argparse(parser, args, "gunicorn")


def check_daphne(args: list[str]) -> None:
    from daphne.cli import CommandLineInterface

    check_argparse(CommandLineInterface().parser, args, "daphne")


def check_celery(args: list[str]) -> None:
    from celery.bin.celery import celery

    check_click(celery, args, "celery")


HELP_CHECKED = {"pg_restore", "pg_dump", "psql"}


def check_against_help(program: str, args: list[str]) -> None:
    """A tool we do not import: every flag used must appear in its own `--help` text."""
    import shutil
    import subprocess

    path = shutil.which(program)
    if path is None:
        raise Problem(f"{program} is not installed here, so its flags cannot be checked")
    text = subprocess.run(
        [path, "--help"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    known = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text))
    unknown = [a.split("=")[0] for a in args if a.startswith("-") and a.split("=")[0] not in known]
    if unknown:
        raise Problem(f"{program} --help does not list {', '.join(unknown)}")


def _needs_backend_on_path(command: DocCommand, module: str) -> None:
    on_path = command.cwd == BACKEND or any(
        (command.cwd / part).resolve() == BACKEND
        for part in command.env.get("PYTHONPATH", "").split(os.pathsep)
        if part
    )
    if not on_path:
        raise Problem(f"`python -m {module}` must run in backend/ (or with backend on PYTHONPATH)")


def check_python(command: DocCommand, args: list[str]) -> None:
    if args[:1] == ["-m"] and len(args) >= 2:
        module, rest = args[1], args[2:]
        if module == "cutover":
            _needs_backend_on_path(command, module)
            check_typer("cutover.cli", rest, "cutover")
        elif module == "verification":
            if command.cwd != REPO_ROOT:
                raise Problem("`python -m verification` must run in the repository root")
            check_typer("verification.cli", rest, "verification")
        elif module == "gunicorn":
            check_gunicorn(rest)
        elif module == "daphne":
            check_daphne(rest)
        elif module == "celery":
            check_celery(rest)
        else:
            raise Problem(f"no rule to check `python -m {module}`: add one or write it as prose")
        return
    if not args:
        raise Problem("a bare python")
    script = (command.cwd / args[0]).resolve()
    if not script.is_file():
        raise Problem(f"{args[0]} does not exist (from {rel(command.cwd) or '.'})")
    if script == BACKEND / "manage.py":
        check_manage(args[1:])
    elif script.parent == BACKEND / "scripts":
        shim = re.search(r"main\(\[\s*\"([\w-]+)\"", script.read_text())
        if not shim:
            raise Problem(f"{rel(script)} is not a cutover shim")
        check_typer("cutover.cli", [shim[1], *args[1:]], "cutover")
    else:
        raise Problem(f"no rule to check the script {rel(script)}: add one or write it as prose")


def tox_envs() -> set[str]:
    text = (REPO_ROOT / "tox.ini").read_text()
    envs = set(re.findall(r"^\[testenv:([\w-]+)\]", text, re.MULTILINE))
    return envs | {"ALL"}


def check_bin(command: DocCommand, program: Path, args: list[str]) -> None:
    if not program.is_file():
        raise Problem(f"{rel(program)} does not exist")
    if not program.stat().st_mode & stat.S_IXUSR:
        raise Problem(f"{rel(program)} is not executable")
    name = program.name
    if name == "rehearse":
        check_typer("verification.cli", ["rehearse", *args], "bin/rehearse")
    elif name == "test":
        own = args[: args.index("--")] if "--" in args else args
        for flag, value in itertools.pairwise(own):
            if flag in {"-e", "--env"}:
                missing = set(value.split(",")) - tox_envs()
                if missing:
                    raise Problem(f"bin/test: no tox environment {', '.join(sorted(missing))}")
    elif args:
        raise Problem(f"{rel(program)} takes no arguments here, or needs a rule")


def check_npm(command: DocCommand, args: list[str]) -> None:
    package = command.cwd / "package.json"
    if not package.is_file():
        raise Problem(f"npm runs in a package directory; {rel(command.cwd) or '.'} has none")
    scripts = json.loads(package.read_text()).get("scripts", {})
    if not args:
        raise Problem("a bare npm")
    verb = args[0]
    if verb in {"ci", "install", "i"}:
        return
    if verb in {"test", "start"}:
        if verb not in scripts:
            raise Problem(f"package.json has no {verb!r} script")
        return
    if verb == "run" and len(args) >= 2:
        if args[1] not in scripts:
            raise Problem(f"package.json has no {args[1]!r} script")
        return
    raise Problem(f"no rule to check `npm {verb}`")


def check(command: DocCommand) -> None:
    program, args = command.argv[0], command.argv[1:]
    if program in HOUSEKEEPING:
        return
    if program == "cd":
        if len(args) != 1 or not (command.cwd / args[0]).is_dir():
            raise Problem(f"cd to a directory that does not exist: {args}")
        return
    if PYTHON.search(program):
        check_python(command, args)
    elif program in {"gunicorn", "daphne", "celery"}:
        {"gunicorn": check_gunicorn, "daphne": check_daphne, "celery": check_celery}[program](args)
    elif program == "npm":
        check_npm(command, args)
    elif program in HELP_CHECKED:
        check_against_help(program, args)
    elif program.removeprefix("./").startswith("bin/") or program.startswith("../bin/"):
        check_bin(command, (command.cwd / program).resolve(), args)
    else:
        raise Problem(f"no rule to check {program!r}: add one, or write the step as prose")


# --- the tests --------------------------------------------------------------------------------

COMMANDS = documented_commands()


def test_the_docs_show_commands() -> None:
    paths = {rel(c.path) for c in COMMANDS}
    for doc in (
        "docs/migration-runbook.md",
        "docs/rollback.md",
        "docs/pre-deployment-checklist.md",
    ):
        assert doc in paths, f"{doc} shows no command"


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_documented_command_exists_and_accepts_its_flags(command: DocCommand) -> None:
    try:
        check(command)
    except Problem as exc:
        pytest.fail(f"{command}\n  {exc}", pytrace=False)


def _doc(cwd: Path, text: str) -> DocCommand:
    [argv] = split_commands(text)
    return DocCommand(REPO_ROOT / "docs" / "x.md", 1, text, argv, cwd)


@pytest.mark.parametrize(
    ("cwd", "text", "complaint"),
    [
        (BACKEND, "python -m cutover backup --source x --out y --no-such-flag", "no-such-flag"),
        (BACKEND, "python -m cutover nonsense", "no subcommand 'nonsense'"),
        (BACKEND, "python -m cutover backup --source x", "--out"),
        (BACKEND, "python -m cutover backup --source x --out y --batch-size many", "batch"),
        (REPO_ROOT, "python -m cutover inspect --source x", "must run in backend/"),
        (REPO_ROOT, "python -m verification watch --accounts a.json", "--target-url"),
        (BACKEND, "python -m verification gate r.json", "repository root"),
        (BACKEND, "python manage.py no_such_command", "no command"),
        (BACKEND, "python manage.py ensure_admin --no-such-option", "unrecognized arguments"),
        (REPO_ROOT, "python manage.py check", "does not exist"),
        (REPO_ROOT, "python backend/scripts/no_such_script.py", "does not exist"),
        (BACKEND, "gunicorn config.wsgi:application --no-such-option", "unrecognized"),
        (BACKEND, "daphne -p eighty config.asgi:application", "invalid int value"),
        (BACKEND, "celery -A config worker --concurency=2", "No such option"),
        (REPO_ROOT, "bin/no-such-script", "does not exist"),
        (REPO_ROOT, "bin/test -e no-such-env", "no tox environment"),
        (REPO_ROOT, "bin/rehearse --no-such-flag", "no-such-flag"),
        (CLIENT, "npm run no-such-script", "no 'no-such-script' script"),
        (REPO_ROOT, "npm run build", "package directory"),
        (REPO_ROOT, "render deploy", "no rule"),
        (REPO_ROOT, "pg_restore --no-such-flag --clean -d x y.dump", "--no-such-flag"),
    ],
)
def test_the_checker_refuses_what_would_not_run(cwd: Path, text: str, complaint: str) -> None:
    with pytest.raises(Problem, match=re.escape(complaint)):
        check(_doc(cwd, text))


@pytest.mark.parametrize(
    ("cwd", "text"),
    [
        (
            BACKEND,
            "python -m cutover backup --source $NODEJS_DATABASE_URL --out /backups --no-validate",
        ),
        (BACKEND, "python -m cutover export --out /x"),  # --source from NODEJS_DATABASE_URL
        (BACKEND, "python -m cutover --help"),
        (REPO_ROOT, "python -m verification deploy-verify --target render --no-suite"),
        (BACKEND, "python manage.py check --deploy"),
        (BACKEND, "python scripts/backup_database.py --source x --out y"),
        (BACKEND, "celery -A config --quiet worker --loglevel=info --concurrency=2"),
        (REPO_ROOT, "bin/test -e unit,client -- -k cadets"),
        (REPO_ROOT, "pg_restore --clean --if-exists --no-owner --dbname=x y.dump"),
    ],
)
def test_the_checker_accepts_what_would_run(cwd: Path, text: str) -> None:
    check(_doc(cwd, text))


def _sections(path: Path, pattern: str) -> dict[int, str]:
    text = path.read_text()
    heads = list(re.finditer(pattern, text, re.MULTILINE))
    return {
        int(head[1]): text[head.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        for i, head in enumerate(heads)
    }


STEP_HEADING = r"^##+ Step (\d+)\b.*$"


@pytest.mark.parametrize("doc", ["migration-runbook.md", "rollback.md"])
def test_every_step_names_a_checked_command(doc: str) -> None:
    path = DOCS / doc
    sections = _sections(path, STEP_HEADING)
    assert sections, f"{doc} has no '## Step N' headings"
    assert sorted(sections) == list(range(1, len(sections) + 1)), sorted(sections)
    if doc == "migration-runbook.md":
        assert len(sections) == 10, "the migration runbook has ten steps"
    lines = path.read_text().splitlines()
    starts = {
        n: next(i for i, line in enumerate(lines, 1) if re.match(rf"^##+ Step {n}\b", line))
        for n in sections
    }
    bounds = [*sorted(starts.values()), len(lines) + 1]
    for number, start in starts.items():
        end = bounds[bounds.index(start) + 1]
        checked = [
            c
            for c in COMMANDS
            if c.path == path and start < c.line < end and c.argv[0] not in {"cd", *HOUSEKEEPING}
        ]
        assert checked, f"{doc}: step {number} names no command in a code block"


def test_rollback_triggers_are_the_thresholds() -> None:
    from verification.thresholds import (
        ROLLBACK_MAX_S,
        WATCH_MAX_ERROR_RATE,
        WATCH_MAX_P95_MS,
        WATCH_MIN_SAMPLES,
        WATCH_WINDOW_S,
    )

    text = (DOCS / "rollback.md").read_text()
    assert "verification/thresholds.py" in text
    for figure in (
        f"{float(WATCH_MAX_ERROR_RATE) * 100:g} %",
        f"{WATCH_MAX_P95_MS:g} ms",
        f"{WATCH_WINDOW_S:g} s",
        f"{WATCH_MIN_SAMPLES} requests",
        f"{ROLLBACK_MAX_S // 60} minutes",
    ):
        assert figure in text, f"docs/rollback.md does not state {figure!r} (thresholds.py)"


LINK = re.compile(r"\[[^\]]*\]\((?!https?://|mailto:|#)([^)#\s]+)(#[^)]*)?\)")


@pytest.mark.parametrize("path", doc_files(), ids=rel)
def test_links_between_docs_resolve(path: Path) -> None:
    broken = [
        target
        for target in LINK.findall(path.read_text())
        if not (path.parent / target[0]).exists()
    ]
    assert not broken, f"{rel(path)} links to missing files: {broken}"
