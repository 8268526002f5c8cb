"""Every `cuecraft` command line in the README's code blocks names a real verb and real options."""

import re
import shlex
from pathlib import Path

import typer.main

from cuecraft.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith((".venv/bin/cuecraft ", "cuecraft "))]


def test_readme_commands_exist_in_the_cli() -> None:
    commands = readme_commands()
    assert len(commands) >= 10
    group = typer.main.get_command(app)
    for words in commands:
        command, rest = group, list(words)
        while hasattr(command, "commands") and rest and rest[0] in command.commands:
            command = command.commands[rest.pop(0)]
        assert not hasattr(command, "commands"), f"README names no verb of cuecraft: {words}"
        known = {opt for param in command.params for opt in param.opts + param.secondary_opts}
        used = {w.split("=")[0] for w in rest if w.startswith("-") and not re.fullmatch(r"-[0-9.]+", w)}
        assert used <= known, f"{' '.join(words)}: unknown options {used - known}"
